//! `de`: differential expression of a counts table, for two groups or a study design.

use super::input::InputArgs;
use super::CliResult;
use clap::Args;
use std::path::PathBuf;
use synthbio::core::Report;
use synthbio::de::{
    de_dataset, design_de, DeParams, DeReport, DeTest, Design, DesignDeParams, FilterParams,
    Tested, Transform,
};

/// Arguments of `de`.
#[derive(Args)]
pub struct DeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Metadata column that defines the groups (the two-group design).
    #[arg(long, requires_all = ["case", "control"], conflicts_with_all = ["design", "design_matrix"])]
    group_column: Option<String>,
    /// Value of the group of interest (fold changes are this over --control).
    #[arg(long, requires = "group_column")]
    case: Option<String>,
    /// Value of the reference group.
    #[arg(long, requires = "group_column")]
    control: Option<String>,
    /// A design formula over the metadata, e.g. "~ donor + dex" or "~ 0 + group"
    /// (factors, numeric covariates, factor(col)); needs --coef or --contrast.
    #[arg(long, conflicts_with = "design_matrix")]
    design: Option<String>,
    /// A design matrix file instead of a formula: TSV, header "sample<TAB>coef...", one
    /// row per sample.
    #[arg(long)]
    design_matrix: Option<PathBuf>,
    /// The coefficient tested, by its design name (e.g. dextrt).
    #[arg(long, conflicts_with = "contrast")]
    coef: Option<String>,
    /// A contrast: name=weight pairs ("dextrt=1,dexuntrt=-1") or one weight per coefficient.
    #[arg(long)]
    contrast: Option<String>,
    /// Reference (first) level of a factor of the formula, as column=level; repeatable.
    #[arg(long = "reference-level", value_name = "COLUMN=LEVEL")]
    reference_level: Vec<String>,
    /// limma-trend: the prior variance follows the average log expression.
    #[arg(long, conflicts_with = "voom")]
    trend: bool,
    /// limma's voom: precision weights from the mean-variance trend.
    #[arg(long)]
    voom: bool,
    /// limma's robust empirical Bayes (eBayes(robust = TRUE)): genes with outlying
    /// variances get fewer prior degrees of freedom; with --trend, --voom or alone.
    #[arg(long)]
    robust: bool,
    /// The lower and upper tail proportions that --robust Winsorizes (limma's
    /// winsor.tail.p).
    #[arg(long, value_name = "LOWER,UPPER", value_delimiter = ',',
          default_values_t = synthbio::de::DEFAULT_WINSOR_TAIL_P, requires = "robust")]
    winsor_tail_p: Vec<f64>,
    /// Test every gene (default: edgeR's filterByExpr on the design first).
    #[arg(long)]
    all_genes: bool,
    /// Per-gene test of the two-group design: moderated (limma) or welch.
    #[arg(long, value_enum, default_value = "moderated")]
    test: DeTest,
    /// Benjamini-Hochberg threshold of significant genes.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Table output: .tsv, .csv or .parquet (one row per gene).
    #[arg(long, short)]
    out: PathBuf,
}

/// Tests every gene between two groups, or a coefficient / contrast of a design.
pub fn de(args: &DeArgs) -> CliResult {
    let data = args.input.load()?;
    let filter = (!args.all_genes).then(FilterParams::default);
    if let Some(note) = filter.map(|f| {
        format!(
            "gene filter: edgeR filterByExpr on the design (min.count {}, min.total.count {}, \
             large.n {}, min.prop {}); --all-genes tests every gene",
            f.min_count, f.min_total_count, f.large_n, f.min_prop
        )
    }) {
        eprintln!("{note}");
    }
    if let Some(column) = &args.group_column {
        if args.voom || args.trend || args.robust || args.coef.is_some() || args.contrast.is_some()
        {
            return Err(
                "--voom, --trend, --robust, --coef and --contrast go with --design or \
                 --design-matrix; --group-column runs the two-group design"
                    .into(),
            );
        }
        let params = DeParams {
            test: args.test,
            alpha: args.alpha,
            filter,
            ..DeParams::new(
                column,
                args.case.as_deref().unwrap_or_default(),
                args.control.as_deref().unwrap_or_default(),
            )
        };
        let result = de_dataset(&data, &params)?;
        let report = DeReport {
            result,
            alpha: args.alpha,
            top_n: params.top_n,
        };
        synthbio::io::write_table(&args.out, &report.table())?;
        for paragraph in report.section().paragraphs {
            eprintln!("{paragraph}");
        }
        eprintln!("volcano table written to {}", args.out.display());
        return Ok(());
    }
    let design = match (&args.design, &args.design_matrix) {
        (Some(formula), _) => {
            let reference = args
                .reference_level
                .iter()
                .map(|r| {
                    r.split_once('=')
                        .map(|(c, l)| (c.trim().to_string(), l.trim().to_string()))
                        .ok_or_else(|| {
                            format!("--reference-level {r:?}: write column=level, e.g. dex=untrt")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Design::from_formula(data.metadata(), formula, &reference)?
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read --design-matrix {}: {e}", path.display()))?;
            Design::from_tsv(&text, data.sample_ids())?
        }
        (None, None) => {
            return Err(
                "give the groups (--group-column, --case, --control) or a design \
                        (--design \"~ donor + dex\" or --design-matrix file.tsv)"
                    .into(),
            )
        }
    };
    if args.test == DeTest::Welch {
        return Err("--test welch compares two groups: use --group-column with it".into());
    }
    let tested = match (&args.coef, &args.contrast) {
        (Some(c), None) => Tested::Coef(c.clone()),
        (None, Some(c)) => Tested::Contrast(c.clone()),
        _ => {
            return Err(format!(
                "say what to test: --coef NAME or --contrast SPEC; the design's coefficients \
                 are {}",
                design.columns.join(", ")
            )
            .into())
        }
    };
    let params = DesignDeParams {
        design,
        tested,
        transform: if args.voom {
            Transform::Voom
        } else {
            Transform::LogCpm
        },
        trend: args.trend,
        robust: args.robust,
        winsor_tail_p: <[f64; 2]>::try_from(args.winsor_tail_p.as_slice()).map_err(|_| {
            format!(
                "--winsor-tail-p takes two proportions, LOWER,UPPER (e.g. 0.05,0.1); got {:?}",
                args.winsor_tail_p
            )
        })?,
        filter,
    };
    let result = design_de(&data, &params)?;
    synthbio::io::write_table(&args.out, &result.table())?;
    for paragraph in result.section().paragraphs {
        eprintln!("{paragraph}");
    }
    eprintln!(
        "{} of {} tested genes at BH < {}; topTable written to {}",
        result.n_significant(args.alpha),
        result.rows.len(),
        args.alpha,
        args.out.display()
    );
    Ok(())
}
