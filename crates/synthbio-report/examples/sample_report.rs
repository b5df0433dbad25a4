//! Writes a sample report with every figure kind from deterministic data.
//!
//! ```text
//! cargo run -p synthbio-report --example sample_report -- <output-dir>
//! ```
//!
//! Prints the path of the HTML page. The data are synthetic (seeded), shaped
//! like a QC, PCA, differential-expression and model-evaluation run.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};
use statrs::distribution::ContinuousCDF as _;
use std::path::PathBuf;
use synthbio_core::{Cell, Figure, ReportSection, Table};
use synthbio_report::{write_report_with, RenderOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("sample-report"));
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let sections = vec![
        qc_section(&mut rng)?,
        pca_section(),
        de_section(&mut rng)?,
        evaluation_section(&mut rng)?,
    ];
    let intro = vec![
        "Synthetic expression for 120 samples from five tissues, generated with a seeded \
         random number generator to show every kind of figure and table the report layer draws."
            .to_string(),
        "Flagged samples are outlined in the PCA; significant genes are outlined in the volcano plot."
            .to_string(),
    ];
    let options = RenderOptions::default()
        .with_subtitle("GEM-1 bulk · synthetic demo data (seed 7)")
        .with_marked_label("flagged")
        .with_marked_label_for("Volcano", "significant");
    let files = write_report_with(
        &dir,
        "sample",
        "Sample report: tissue atlas",
        &intro,
        &sections,
        &options,
    )?;
    println!("{}", files.html.display());
    Ok(())
}

const TISSUES: [&str; 5] = ["liver", "lung", "brain", "kidney", "whole blood"];

/// PCA scatter coloured by tissue with flagged samples, two samples without coordinates.
fn qc_section(rng: &mut ChaCha8Rng) -> Result<ReportSection, Box<dyn std::error::Error>> {
    let noise = Normal::new(0.0, 1.0)?;
    let centres = [
        (-8.0, 3.0),
        (-2.0, -6.0),
        (7.0, 5.0),
        (3.0, -1.0),
        (10.0, -7.0),
    ];
    let (mut x, mut y, mut groups, mut marked) = (vec![], vec![], vec![], vec![]);
    let mut flagged = Table::new(["sample", "tissue", "library size", "reason"]);
    for i in 0..120_u32 {
        let t = i as usize % TISSUES.len();
        let outlier = i % 23 == 5;
        let spread = if outlier { 6.0 } else { 1.6 };
        let px = centres[t].0 + spread * noise.sample(rng);
        let py = centres[t].1 + spread * noise.sample(rng);
        x.push(if i == 17 { f64::NAN } else { px });
        y.push(if i == 64 { f64::INFINITY } else { py });
        groups.push(TISSUES[t].to_string());
        marked.push(outlier);
        if outlier {
            let id = if i == 5 {
                "<script>alert(1)</script>".to_string()
            } else {
                format!("S{i:03}")
            };
            flagged.push(vec![
                id.into(),
                TISSUES[t].into(),
                Cell::Int(400_000 + 37_000 * i64::from(i)),
                "far from its tissue in PC1/PC2".into(),
            ]);
        }
    }
    Ok(ReportSection {
        title: "Quality control".into(),
        paragraphs: vec![format!(
            "{} of 120 samples are flagged as outliers. One sample has no PC1 value and one \
             an infinite PC2; both are left out of the plot.",
            flagged.rows.len()
        )],
        tables: vec![("Flagged samples".into(), flagged)],
        figures: vec![Figure::Scatter {
            title: "PCA of latents, coloured by tissue".into(),
            x_label: format!("PC1 ({:.1}%)", explained_variance()[0]),
            y_label: format!("PC2 ({:.1}%)", explained_variance()[1]),
            x,
            y,
            groups: Some(groups),
            marked,
        }],
    })
}

/// Explained variance per component: a geometric decay from 38.2%.
fn explained_variance() -> Vec<f64> {
    (0..10).map(|k| 38.2 * 0.55_f64.powi(k)).collect()
}

/// Explained variance bars.
fn pca_section() -> ReportSection {
    let values = explained_variance();
    let labels: Vec<String> = (1..=10).map(|k| format!("PC{k}")).collect();
    let mut table = Table::new(["component", "explained variance (%)", "cumulative (%)"]);
    let mut total = 0.0;
    for (l, v) in labels.iter().zip(&values) {
        total += v;
        table.push(vec![l.as_str().into(), (*v).into(), total.into()]);
    }
    ReportSection {
        title: "Principal components".into(),
        paragraphs: vec![format!(
            "The first two components explain {:.1}% of the variance, the first ten {total:.1}%.",
            values[0] + values[1]
        )],
        tables: vec![("Explained variance".into(), table)],
        figures: vec![Figure::Bar {
            title: "Explained variance per component".into(),
            y_label: "% of variance".into(),
            labels,
            values,
        }],
    }
}

/// A volcano plot of 12,000 genes and its table (cut in the page).
///
/// Each gene has a standard error, 8% have a true effect; p values are
/// two-sided normal tests adjusted by Benjamini-Hochberg.
fn de_section(rng: &mut ChaCha8Rng) -> Result<ReportSection, Box<dyn std::error::Error>> {
    let noise = Normal::new(0.0_f64, 1.0)?;
    let se_draw = Uniform::new(0.3_f64, 0.9)?;
    let standard = statrs::distribution::Normal::standard();
    let n = 12_000;
    let mut lfc = Vec::with_capacity(n);
    let mut p = Vec::with_capacity(n);
    for g in 0..n {
        let effect = if g % 12 == 0 {
            1.8 * noise.sample(rng)
        } else {
            0.0
        };
        let se = se_draw.sample(rng);
        let l = effect + se * noise.sample(rng);
        lfc.push(l);
        p.push(2.0 * standard.sf((l / se).abs()));
    }
    let p_adj = benjamini_hochberg(&p);
    let score: Vec<f64> = p_adj.iter().map(|q| -q.log10()).collect();
    let marked: Vec<bool> = lfc
        .iter()
        .zip(&p_adj)
        .map(|(l, q)| *q < 0.05 && l.abs() > 1.0)
        .collect();
    let mut table = Table::new(["gene_id", "log2FC", "p_adj", "significant"]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p_adj[a].total_cmp(&p_adj[b]));
    for g in order {
        table.push(vec![
            format!("ENSG{:011}", 100_000 + g).into(),
            lfc[g].into(),
            p_adj[g].into(),
            Cell::Text(if marked[g] { "yes" } else { "no" }.into()),
        ]);
    }
    let n_sig = marked.iter().filter(|&&m| m).count();
    Ok(ReportSection {
        title: "Differential expression: lung vs liver".into(),
        paragraphs: vec![format!(
            "{n_sig} of {n} genes are significant (Benjamini-Hochberg adjusted p < 0.05 and |log2FC| > 1)."
        )],
        tables: vec![("All genes, by adjusted p".into(), table)],
        figures: vec![Figure::Scatter {
            title: "Volcano plot, lung vs liver".into(),
            x_label: "log2 fold change".into(),
            y_label: "-log10 adjusted p".into(),
            x: lfc,
            y: score,
            groups: None,
            marked,
        }],
    })
}

/// Benjamini-Hochberg adjusted p values, in input order.
fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let n = p.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut adjusted = vec![0.0; n];
    let mut running = 1.0_f64;
    for (rank_from_top, &i) in order.iter().enumerate() {
        let rank = n - rank_from_top;
        running = running.min(p[i] * n as f64 / rank as f64);
        adjusted[i] = running;
    }
    adjusted
}

/// Predicted vs observed fold changes, with the correlation in the title.
fn evaluation_section(rng: &mut ChaCha8Rng) -> Result<ReportSection, Box<dyn std::error::Error>> {
    let noise = Normal::new(0.0, 1.0)?;
    let (mut observed, mut predicted) = (vec![], vec![]);
    for _ in 0..800 {
        let o = 1.4 * noise.sample(rng);
        observed.push(o);
        predicted.push(0.8 * o + 0.55 * noise.sample(rng));
    }
    let r = synthbio_core::stats::pearson(&observed, &predicted).unwrap_or(f64::NAN);
    Ok(ReportSection {
        title: "Model evaluation".into(),
        paragraphs: vec![format!(
            "Predicted and observed log2 fold changes over 800 held-out genes agree with Pearson r = {r:.3}."
        )],
        tables: vec![],
        figures: vec![Figure::Scatter {
            title: format!("Predicted vs observed log2 fold change (r = {r:.3})"),
            x_label: "observed log2 fold change".into(),
            y_label: "predicted log2 fold change".into(),
            x: observed,
            y: predicted,
            groups: None,
            marked: vec![],
        }],
    })
}
