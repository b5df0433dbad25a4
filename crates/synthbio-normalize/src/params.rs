//! Parameters: which transform, and which library sizes.

use crate::error::{NormalizeError, Result};
use serde::{Deserialize, Serialize};

/// The transform applied to counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Counts per million: `count / library_size * 1e6`.
    Cpm,
    /// edgeR's `cpm(y, log = TRUE, prior.count)`: the prior count is scaled by each
    /// library's size relative to the mean library size (`p_i = prior * L_i / mean(L)`),
    /// twice that is added to the library size, then
    /// `log2((count + p_i) / (L_i + 2 p_i) * 1e6)` (McCarthy et al. 2012).
    LogCpm {
        /// edgeR's `prior.count`; default 2.
        #[serde(default = "default_prior_count")]
        prior_count: f64,
    },
    /// `log2(cpm + 1)`, the scale the reference-conditioning documentation uses for
    /// fold changes.
    Log2CpmPlusOne,
    /// scanpy's `normalize_total(target_sum)` then `log1p` (natural log):
    /// `ln(1 + count / total * target_sum)`.
    Log1p {
        /// The total each sample is scaled to.
        #[serde(default)]
        target_sum: TargetSum,
    },
}

impl Default for Method {
    /// edgeR's `cpm(y, log = TRUE)` (prior count 2).
    fn default() -> Self {
        Method::LogCpm {
            prior_count: default_prior_count(),
        }
    }
}

fn default_prior_count() -> f64 {
    2.0
}

/// The `target_sum` of scanpy's `normalize_total`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSum {
    /// scanpy's default (`target_sum=None`): the median of the samples' totals
    /// (all totals are positive here, since empty samples are refused).
    #[default]
    MedianOfTotals,
    /// A fixed total, e.g. 1e4 (scanpy tutorials) or 1e6 (CPM before `log1p`).
    Fixed(f64),
}

/// Which normalization factors scale the library sizes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormFactors {
    /// Library size = total count (edgeR's `cpm()` on a plain matrix).
    #[default]
    None,
    /// Library size = total count x TMM factor (edgeR's `calcNormFactors(method = "TMM")`
    /// then `cpm()` on the DGEList). Not combined with [`Method::Log1p`].
    Tmm(TmmParams),
}

/// Parameters of TMM, with edgeR's defaults (Robinson & Oshlack 2010).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TmmParams {
    /// Fraction trimmed from each end of the log ratios (M values); edgeR `logratioTrim` 0.3.
    pub logratio_trim: f64,
    /// Fraction trimmed from each end of the mean log expression (A values); edgeR `sumTrim` 0.05.
    pub sum_trim: f64,
    /// Weight genes by the inverse of their asymptotic variance; edgeR `doWeighting` TRUE.
    pub do_weighting: bool,
    /// Genes with A value at or below this are not used; edgeR `Acutoff` -1e10.
    pub a_cutoff: f64,
    /// The reference sample (0-based row); `None` = edgeR's `refColumn = NULL`: the sample
    /// whose upper quartile (of counts / library size) is closest to the mean upper quartile.
    pub ref_sample: Option<usize>,
}

impl Default for TmmParams {
    fn default() -> Self {
        TmmParams {
            logratio_trim: 0.3,
            sum_trim: 0.05,
            do_weighting: true,
            a_cutoff: -1e10,
            ref_sample: None,
        }
    }
}

/// What to compute: a transform and its library sizes.
///
/// The default is edgeR's `cpm(y, log = TRUE, prior.count = 2)` on raw library sizes.
/// Serialized flat, each field optional:
/// `{"method": "log_cpm", "prior_count": 2, "norm_factors": "none"}`,
/// `{"method": "log1p", "target_sum": {"fixed": 10000}}`,
/// `{"method": "cpm", "norm_factors": {"tmm": {}}}`; unknown fields are refused.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "FlatParams", into = "FlatParams")]
pub struct NormalizeParams {
    /// The transform.
    pub method: Method,
    /// Normalization factors for the library sizes.
    pub norm_factors: NormFactors,
}

/// A [`Method`] by name, without its parameters: the serialized form's
/// `method` and the command line's `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum MethodName {
    /// Counts per million.
    Cpm,
    /// edgeR's log2 CPM with a prior count scaled by library size.
    #[default]
    LogCpm,
    /// log2(CPM + 1), the scale of reference-conditioning fold changes.
    Log2CpmPlusOne,
    /// scanpy's normalize_total then natural log1p.
    Log1p,
}

/// The serialized form of [`NormalizeParams`]: flat, every field optional.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FlatParams {
    method: MethodName,
    #[serde(skip_serializing_if = "Option::is_none")]
    prior_count: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_sum: Option<TargetSum>,
    norm_factors: NormFactors,
}

impl TryFrom<FlatParams> for NormalizeParams {
    type Error = String;
    fn try_from(f: FlatParams) -> std::result::Result<Self, String> {
        let method = match f.method {
            MethodName::LogCpm => Method::LogCpm {
                prior_count: f.prior_count.unwrap_or_else(default_prior_count),
            },
            MethodName::Log1p => Method::Log1p {
                target_sum: f.target_sum.unwrap_or_default(),
            },
            MethodName::Cpm => Method::Cpm,
            MethodName::Log2CpmPlusOne => Method::Log2CpmPlusOne,
        };
        if f.prior_count.is_some() && f.method != MethodName::LogCpm {
            return Err("prior_count applies to method log_cpm only; remove it".into());
        }
        if f.target_sum.is_some() && f.method != MethodName::Log1p {
            return Err("target_sum applies to method log1p only; remove it".into());
        }
        Ok(NormalizeParams {
            method,
            norm_factors: f.norm_factors,
        })
    }
}

impl From<NormalizeParams> for FlatParams {
    fn from(p: NormalizeParams) -> Self {
        let (method, prior_count, target_sum) = match p.method {
            Method::Cpm => (MethodName::Cpm, None, None),
            Method::LogCpm { prior_count } => (MethodName::LogCpm, Some(prior_count), None),
            Method::Log2CpmPlusOne => (MethodName::Log2CpmPlusOne, None, None),
            Method::Log1p { target_sum } => (MethodName::Log1p, None, Some(target_sum)),
        };
        FlatParams {
            method,
            prior_count,
            target_sum,
            norm_factors: p.norm_factors,
        }
    }
}

impl NormalizeParams {
    /// Parameters from a method name and the parameters that apply to it
    /// (`prior_count` to [`MethodName::LogCpm`], `target_sum` to
    /// [`MethodName::Log1p`]; the others refused with a message saying so).
    pub fn from_parts(
        method: MethodName,
        prior_count: Option<f64>,
        target_sum: Option<TargetSum>,
        norm_factors: NormFactors,
    ) -> std::result::Result<Self, String> {
        NormalizeParams::try_from(FlatParams {
            method,
            prior_count,
            target_sum,
            norm_factors,
        })
    }

    /// Parameters with this method and no normalization factors.
    pub fn new(method: Method) -> Self {
        NormalizeParams {
            method,
            norm_factors: NormFactors::None,
        }
    }

    /// The same with TMM factors (edgeR defaults).
    pub fn with_tmm(mut self) -> Self {
        self.norm_factors = NormFactors::Tmm(TmmParams::default());
        self
    }

    /// Checks every parameter's range.
    pub fn validate(&self) -> Result<()> {
        match self.method {
            Method::LogCpm { prior_count } if !(prior_count.is_finite() && prior_count > 0.0) => {
                return Err(invalid(
                    "prior_count",
                    prior_count,
                    "give a positive prior count (edgeR's default is 2)",
                ))
            }
            Method::Log1p {
                target_sum: TargetSum::Fixed(t),
            } if !(t.is_finite() && t > 0.0) => {
                return Err(invalid(
                    "target_sum",
                    t,
                    "give a positive total (e.g. 1e4), or median_of_totals",
                ))
            }
            Method::Log1p { .. } if matches!(self.norm_factors, NormFactors::Tmm(_)) => {
                return Err(NormalizeError::InvalidParam {
                    name: "norm_factors",
                    value: "tmm".into(),
                    fix: "scanpy's log1p method scales each sample to its own total; set \
                          norm_factors to none, or use log_cpm for TMM",
                })
            }
            _ => {}
        }
        if let NormFactors::Tmm(t) = self.norm_factors {
            t.validate()?;
        }
        Ok(())
    }
}

impl TmmParams {
    /// Checks the trims are fractions below one half.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..0.5).contains(&self.logratio_trim) {
            return Err(invalid(
                "logratio_trim",
                self.logratio_trim,
                "give a fraction in [0, 0.5) (edgeR's default is 0.3)",
            ));
        }
        if !(0.0..0.5).contains(&self.sum_trim) {
            return Err(invalid(
                "sum_trim",
                self.sum_trim,
                "give a fraction in [0, 0.5) (edgeR's default is 0.05)",
            ));
        }
        if self.a_cutoff.is_nan() {
            return Err(invalid(
                "a_cutoff",
                self.a_cutoff,
                "give a number (edgeR's default is -1e10)",
            ));
        }
        Ok(())
    }
}

fn invalid(name: &'static str, value: f64, fix: &'static str) -> NormalizeError {
    NormalizeError::InvalidParam {
        name,
        value: value.to_string(),
        fix,
    }
}
