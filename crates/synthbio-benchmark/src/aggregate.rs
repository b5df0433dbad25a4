//! Aggregates over perturbations (cell-eval's polars `describe`) and cell-eval's
//! baseline-scaled score.

use crate::error::{BenchError, Result};
use crate::results::{fmt, Best, Results};
use serde::{Deserialize, Serialize};

/// Summary of one metric over the perturbations where it is defined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Metric name.
    pub name: String,
    /// How it compares with a baseline.
    pub best: Best,
    /// Perturbations with a defined value.
    pub count: usize,
    /// Perturbations left out because the value is undefined (stated, never averaged).
    pub undefined: usize,
    /// Mean, `None` when no value is defined.
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1), `None` below 2 values.
    pub std: Option<f64>,
    /// Minimum.
    pub min: Option<f64>,
    /// 25th percentile (nearest rank, polars' `describe`).
    pub q25: Option<f64>,
    /// Median (nearest rank).
    pub q50: Option<f64>,
    /// 75th percentile (nearest rank).
    pub q75: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

/// Summaries of every metric column, in column order.
pub fn aggregate(results: &Results) -> Vec<Summary> {
    results
        .columns
        .iter()
        .map(|c| {
            let mut v: Vec<f64> = c.values.iter().flatten().cloned().collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let mean = (n > 0).then(|| v.iter().sum::<f64>() / n as f64);
            let std = mean
                .filter(|_| n > 1)
                .map(|m| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
            // polars "nearest": index round-half-up of q (n - 1).
            let q = |p: f64| (n > 0).then(|| v[(p * (n - 1) as f64 + 0.5).floor() as usize]);
            Summary {
                name: c.name.clone(),
                best: c.best,
                count: n,
                undefined: c.values.len() - n,
                mean,
                std,
                min: v.first().cloned(),
                q25: q(0.25),
                q50: q(0.5),
                q75: q(0.75),
                max: v.last().cloned(),
            }
        })
        .collect()
}

/// Tab-separated aggregate: one row per metric.
pub fn aggregate_tsv(summaries: &[Summary]) -> String {
    let mut s = String::from("metric\tcount\tundefined\tmean\tstd\tmin\t25%\t50%\t75%\tmax\n");
    for m in summaries {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            m.name,
            m.count,
            m.undefined,
            fmt(m.mean),
            fmt(m.std),
            fmt(m.min),
            fmt(m.q25),
            fmt(m.q50),
            fmt(m.q75),
            fmt(m.max)
        ));
    }
    s
}

/// One metric's score against a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Metric name (`avg_score` for the mean of all).
    pub metric: String,
    /// cell-eval's `from_baseline`: 0 = no better than the baseline, 1 = perfect.
    pub from_baseline: f64,
    /// Why the score was set to 0 rather than computed, if it was.
    pub note: Option<String>,
}

/// cell-eval's `score_agg_metrics` on the means: errors score `1 - model/baseline`,
/// agreements `(model - baseline)/(1 - baseline)`, both clipped below at 0; counts are
/// not scored. Where a mean is undefined (or the ratio is, baseline 0 or 1) cell-eval
/// writes 0; here the same 0 is given and the reason is kept in [`Score::note`].
/// Errors first, then agreements, then `avg_score`, as cell-eval orders them.
pub fn score(model: &[Summary], baseline: &[Summary]) -> Result<Vec<Score>> {
    let names = |s: &[Summary]| s.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    if names(model) != names(baseline) {
        return Err(BenchError::Mismatch {
            what: format!(
                "metrics: model {:?}, baseline {:?}",
                names(model),
                names(baseline)
            ),
            fix: "score a model against a baseline evaluated on the same perturbations".into(),
        });
    }
    let mut out = Vec::new();
    for best in [Best::Zero, Best::One] {
        for (m, b) in model.iter().zip(baseline).filter(|(m, _)| m.best == best) {
            let raw = match (m.mean, b.mean) {
                (Some(u), Some(base)) => match best {
                    Best::Zero => 1.0 - u / base,
                    _ => (u - base) / (1.0 - base),
                },
                _ => f64::NAN,
            };
            let (v, note) = if raw.is_nan() {
                (
                    0.0,
                    Some(format!(
                        "undefined (model mean {}, baseline mean {}): scored 0 as cell-eval",
                        fmt(m.mean),
                        fmt(b.mean)
                    )),
                )
            } else {
                (raw.max(0.0), None)
            };
            out.push(Score {
                metric: m.name.clone(),
                from_baseline: v,
                note,
            });
        }
    }
    let avg = out.iter().map(|s| s.from_baseline).sum::<f64>() / out.len().max(1) as f64;
    out.push(Score {
        metric: "avg_score".into(),
        from_baseline: avg,
        note: None,
    });
    Ok(out)
}
