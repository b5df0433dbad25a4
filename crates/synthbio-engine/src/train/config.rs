//! Fixed settings of the fit, per modality. They are part of the model
//! definition: changing one changes the shipped model files.

use synthbio_core::Modality;

/// Settings of one modality's fit.
#[derive(Debug, Clone)]
pub(crate) struct FitConfig {
    /// Model id without family suffix (`gem-1-bulk`).
    pub base_id: &'static str,
    /// Library size of the log scale (1e6: CPM; 1e4: CP10k).
    pub scale: f64,
    /// Most biological latent dimensions.
    pub max_bio: usize,
    /// Most technical latent dimensions.
    pub max_tech: usize,
    /// Most perturbation latent dimensions.
    pub max_pert: usize,
    /// Singular values below this fraction of the largest are dropped.
    pub rank_tol: f64,
    /// Ridge penalty of the one-hot regressions, in samples.
    pub ridge: f64,
    /// Most samples (cells) in the dense model rows; above it, a subsample
    /// balanced over metadata combinations.
    pub max_rows: usize,
    /// Key whose value selects context-specific perturbation effects.
    pub context_key: Option<&'static str>,
    /// Fit a negative binomial dispersion per gene (bulk sample generation).
    pub dispersion: bool,
    /// Estimate the share of a reference's residual that another sample of
    /// its donor repeats, by refitting without each paired donor (bulk; the
    /// single-cell data have no donors).
    pub residual_share: bool,
    /// Fit an expression head per key where it beats the latent classifier
    /// (off in refits that serve only reference conditioning, which reads
    /// latents alone).
    pub expression_heads: bool,
}

impl FitConfig {
    /// The settings of a modality.
    pub fn for_modality(modality: Modality) -> FitConfig {
        match modality {
            Modality::Bulk => FitConfig {
                base_id: "gem-1-bulk",
                scale: 1e6,
                max_bio: 16,
                max_tech: 6,
                max_pert: 4,
                rank_tol: 1e-3,
                ridge: 0.5,
                max_rows: 2000,
                context_key: None,
                dispersion: true,
                residual_share: true,
                expression_heads: true,
            },
            Modality::SingleCell => FitConfig {
                base_id: "gem-1-sc",
                scale: 1e4,
                max_bio: 16,
                max_tech: 4,
                max_pert: 6,
                rank_tol: 1e-3,
                ridge: 0.5,
                max_rows: 800,
                context_key: Some("cell_type_ontology_id"),
                dispersion: false,
                residual_share: false,
                expression_heads: true,
            },
        }
    }
}
