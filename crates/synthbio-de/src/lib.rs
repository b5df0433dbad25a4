//! Differential expression for synthbio:
//!
//! - [`log2_fold_change`] / [`reference_fold_changes`]: a generated sample against its
//!   reference as the reference-conditioning documentation does it (`log2(cpm + 1)` of
//!   each, difference), with top up / down genes;
//! - [`differential_expression`] / the [`De`] analysis: two groups with replicates, per-gene
//!   limma-style moderated t (default; Smyth 2004) or Welch t on edgeR log CPM (prior
//!   count 2, the default input scale), Benjamini-Hochberg adjusted p-values, a
//!   volcano-ready table;
//! - study designs as limma and edgeR analyse them: [`Design`] (an R-style formula over
//!   the metadata, a design matrix file, contrasts), [`lm_fit`] (QR, rank-deficiency errors
//!   naming the columns), [`ebayes`] (limma 3.5x's `eBayes`, optionally with a trend and
//!   robust, [`squeeze_var_robust`]; `topTable` with B), [`voom`], edgeR's
//!   [`filter_by_expr`], and [`design_de`] / [`de_paired`] running them on a dataset
//!   ([`DesignDe::to_de_result`] gives the two-group shape); golden files from limma and
//!   edgeR themselves (`tests/golden/make_limma_golden.R`). The two-group moderated t is
//!   this same path on the design `~ group`;
//! - [`perturbation_benchmark`]: predicted vs observed fold changes (Pearson, Spearman,
//!   direction agreement, MSE; all genes and top-N), with the no-change and mean-effect
//!   baselines.
//!
//! ```
//! use ndarray::array;
//! use synthbio_core::{Dataset, MetadataTable};
//! use synthbio_de::{de_dataset, log2_fold_change, perturbation_benchmark, DeParams, DeTest};
//!
//! // Fold change of one sample against its reference.
//! let fc = log2_fold_change(array![0u32, 300, 700].view(), array![0u32, 700, 300].view()).unwrap();
//! assert!(fc[0] == 0.0 && fc[1] < -1.0 && fc[2] > 1.0); // log2(300001 / 700001) = -1.22
//!
//! // Two groups of three.
//! let counts = array![
//!     [10u32, 100, 500], [12, 90, 520], [11, 110, 480],
//!     [40, 100, 500], [45, 95, 510], [38, 105, 490],
//! ];
//! let ids = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
//! let mut meta = MetadataTable::new(6);
//! let group = ["ctrl", "ctrl", "ctrl", "drug", "drug", "drug"];
//! meta.set_column("treatment", group.iter().map(|g| Some(g.to_string())).collect()).unwrap();
//! let data = Dataset::new(counts, ids("g", 3), ids("s", 6)).unwrap().with_metadata(meta).unwrap();
//! let mut params = DeParams::new("treatment", "drug", "ctrl");
//! params.test = DeTest::Welch;
//! let de = de_dataset(&data, &params).unwrap();
//! assert!(de.genes[0].log2_fc > 1.5 && de.genes[0].test.p_value.unwrap() < 0.01);
//!
//! // A model scored against observed changes and the baselines.
//! let b = perturbation_benchmark(&[1.0, -0.5, 0.2], &[1.2, -0.7, 0.0], Some(&[0.5, 0.0, 0.0]), 2).unwrap();
//! // Direction over the genes that changed (the third did not): both agree.
//! assert_eq!(b.model.all.direction_agreement, Some(1.0));
//! assert_eq!(b.no_change.all.pearson, None); // undefined, not NaN
//! ```

mod analysis;
mod benchmark;
mod bh;
mod de;
mod design;
mod design_de;
mod ebayes;
mod error;
mod fdist;
mod filter;
mod fold_change;
mod groups;
mod limma;
mod linalg;
mod lmfit;
pub mod lowess;
mod report;
mod robust;
pub mod special;
mod spline;
mod stats;
mod voom;
mod welch;
mod zeroin;

pub use analysis::{de_dataset, de_groups, de_groups_filtered, De, DeParams};
pub use benchmark::{
    metrics, pearson, perturbation_benchmark, spearman, Benchmark, Metrics, ScopedMetrics,
};
pub use bh::benjamini_hochberg;
pub use de::{differential_expression, DeGene, DeResult, DeTest};
pub use design::Design;
pub use design_de::{
    de_paired, design_de, DesignDe, DesignDeParams, Tested, Transform, TOP_TABLE_COLUMNS,
};
pub use ebayes::{ebayes, EBayesOptions, ModeratedFit, TopRow};
pub use error::{DeError, Result};
pub use filter::{filter_by_expr, FilterParams};
pub use fold_change::{log2_fold_change, reference_fold_changes, FoldChange, FoldChanges};
pub use groups::Groups;
pub use limma::{fit_f_dist, fit_f_dist_trend, squeeze_var, PriorFit, SqueezedVar};
pub use lmfit::{lm_fit, LinearFit};
pub use report::{DeReport, VOLCANO_COLUMNS};
pub use robust::{fit_f_dist_robustly, squeeze_var_robust, RobustPrior, DEFAULT_WINSOR_TAIL_P};
pub use stats::{GroupStats, ZERO_SD};
pub use voom::{voom, Voom};
pub use welch::{two_sided_p, welch_from_stats, GeneTest};
