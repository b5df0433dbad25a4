//! Design matrices: from an R-style formula over the metadata (`~ donor + dex`,
//! `~ 0 + group`, numeric covariates, `factor(x)`), from a TSV file, or the two-group
//! design; contrasts by coefficient name or vector.

use crate::error::{DeError, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use synthbio_core::MetadataTable;

/// A design matrix: one row per sample, one named column per coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// Coefficient names, R's `model.matrix` style (`(Intercept)`, `dextrt`, `cellN061011`).
    pub columns: Vec<String>,
    /// Samples x coefficients.
    pub matrix: Array2<f64>,
}

/// One term of a formula: a factor or a numeric covariate.
enum Term {
    Factor {
        column: String,
        levels: Vec<String>,
        values: Vec<String>,
    },
    Numeric {
        column: String,
        values: Vec<f64>,
    },
}

impl Design {
    /// A design from its columns (samples x coefficients). Checks names are unique and
    /// the shape matches.
    pub fn new(columns: Vec<String>, matrix: Array2<f64>) -> Result<Self> {
        if columns.len() != matrix.ncols() {
            return Err(DeError::Shape {
                what: "design column names (one per column of the matrix)".into(),
                expected: matrix.ncols(),
                found: columns.len(),
            });
        }
        if let Some((j, &x)) = matrix
            .indexed_iter()
            .find(|(_, x)| !x.is_finite())
            .map(|((_, j), x)| (j, x))
        {
            return Err(DeError::InvalidDesign {
                reason: format!("design column {:?} holds {x}", columns[j]),
                fix: "give finite numbers in every cell of the design".into(),
            });
        }
        for (k, c) in columns.iter().enumerate() {
            if columns[..k].contains(c) {
                return Err(DeError::InvalidDesign {
                    reason: format!("design column name {c:?} appears twice"),
                    fix: "give each design column a unique name".into(),
                });
            }
        }
        Ok(Design { columns, matrix })
    }

    /// `~ group` over `n_case + n_control` samples, cases first: columns `(Intercept)`
    /// and `case` (the case-over-control difference).
    pub fn two_group(case: &[usize], control: &[usize], n_samples: usize) -> Self {
        let mut m = Array2::zeros((n_samples, 2));
        for i in case.iter().chain(control) {
            m[[*i, 0]] = 1.0;
        }
        for &i in case {
            m[[i, 1]] = 1.0;
        }
        Design {
            columns: vec!["(Intercept)".into(), "case".into()],
            matrix: m,
        }
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.matrix.nrows()
    }

    /// Index of a coefficient by name; the error lists the names there are.
    pub fn coef_index(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| DeError::UnknownCoefficient {
                name: name.into(),
                available: self.columns.clone(),
            })
    }

    /// The design of an R-style formula over the samples' metadata.
    ///
    /// Grammar: `~ [0 +|1 +] term (+ term)*` with `- 1` / `+ 0` also removing the
    /// intercept. A term is a metadata column: numeric when every value parses as a
    /// number, a factor otherwise (`factor(col)` forces a factor). Factor levels sort in
    /// byte order; `reference` (`column=level` pairs) picks the first level. With an
    /// intercept each factor drops its first level (treatment contrasts); without one the
    /// first factor keeps every level. Names follow `model.matrix`: `<column><level>`.
    pub fn from_formula(
        meta: &MetadataTable,
        formula: &str,
        reference: &[(String, String)],
    ) -> Result<Self> {
        let bad = |reason: String| DeError::InvalidFormula {
            formula: formula.into(),
            reason,
        };
        let rhs = formula
            .trim()
            .strip_prefix('~')
            .ok_or_else(|| bad("a formula starts with '~', e.g. \"~ donor + dex\"".into()))?;
        let mut intercept = true;
        let mut names: Vec<(String, bool)> = Vec::new();
        // Split on + and -, keeping the sign.
        let mut sign = '+';
        let mut cur = String::new();
        let mut parts: Vec<(char, String)> = Vec::new();
        for ch in rhs.chars().chain(std::iter::once('+')) {
            if ch == '+' || ch == '-' {
                parts.push((sign, cur.trim().to_string()));
                cur.clear();
                sign = ch;
            } else {
                cur.push(ch);
            }
        }
        for (k, (sign, t)) in parts.into_iter().enumerate() {
            match (sign, t.as_str()) {
                (_, "") if k == 0 => {}
                (_, "") => return Err(bad("an empty term between operators".into())),
                ('+', "0") | ('-', "1") => intercept = false,
                ('+', "1") => intercept = true,
                ('-', _) => return Err(bad(format!("only '- 1' may be subtracted, not {t:?}"))),
                (_, _) => {
                    let (name, forced) =
                        match t.strip_prefix("factor(").and_then(|s| s.strip_suffix(')')) {
                            Some(inner) => (inner.trim().to_string(), true),
                            None => (t.clone(), false),
                        };
                    if name.contains(|c: char| c.is_whitespace() || "*:^()".contains(c)) {
                        return Err(bad(format!(
                            "term {t:?} is not supported: give metadata columns joined by '+' \
                             (no interactions)"
                        )));
                    }
                    if names.iter().any(|(n, _)| *n == name) {
                        return Err(bad(format!("term {name:?} appears twice")));
                    }
                    names.push((name, forced));
                }
            }
        }
        for (col, _) in reference {
            if !names.iter().any(|(n, _)| n == col) {
                return Err(DeError::InvalidParam {
                    name: "reference_levels",
                    value: col.clone(),
                    fix: format!("name a factor of the formula {formula:?}"),
                });
            }
        }
        let terms = names
            .iter()
            .map(|(name, forced)| term(meta, name, *forced, reference))
            .collect::<Result<Vec<_>>>()?;
        let n = meta.n_rows();
        let mut columns = Vec::new();
        let mut cols: Vec<Vec<f64>> = Vec::new();
        if intercept {
            columns.push("(Intercept)".to_string());
            cols.push(vec![1.0; n]);
        }
        let mut first_factor = !intercept;
        for t in &terms {
            match t {
                Term::Numeric { column, values } => {
                    columns.push(column.clone());
                    cols.push(values.clone());
                }
                Term::Factor {
                    column,
                    levels,
                    values,
                } => {
                    let skip = usize::from(!first_factor);
                    first_factor = false;
                    for level in &levels[skip..] {
                        columns.push(format!("{column}{level}"));
                        cols.push(
                            values
                                .iter()
                                .map(|v| f64::from(u8::from(v == level)))
                                .collect(),
                        );
                    }
                }
            }
        }
        if columns.is_empty() {
            return Err(bad("the formula has no terms and no intercept".into()));
        }
        let matrix = Array2::from_shape_fn((n, cols.len()), |(i, j)| cols[j][i]);
        Design::new(columns, matrix)
    }

    /// A design matrix from TSV text: a header `sample<TAB>coef1<TAB>...`, then one row
    /// per sample. Rows are matched to `sample_ids` by name (every sample needs a row).
    pub fn from_tsv(text: &str, sample_ids: &[String]) -> Result<Self> {
        let mut lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let header: Vec<String> = lines
            .next()
            .ok_or_else(|| DeError::InvalidDesign {
                reason: "the design matrix file is empty".into(),
                fix: "write a header 'sample<TAB>coefficient...' then one row per sample".into(),
            })?
            .split('\t')
            .skip(1)
            .map(|s| s.trim().to_string())
            .collect();
        let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
        for (k, line) in lines.enumerate() {
            let mut parts = line.split('\t');
            let id = parts.next().unwrap_or_default().trim().to_string();
            let values = parts
                .map(|x| {
                    x.trim().parse::<f64>().map_err(|_| DeError::InvalidDesign {
                        reason: format!("design row {} (sample {id:?}) has {x:?}", k + 2),
                        fix: "give numbers in every design cell".into(),
                    })
                })
                .collect::<Result<Vec<f64>>>()?;
            if values.len() != header.len() {
                return Err(DeError::Shape {
                    what: format!(
                        "design row {} (sample {id:?}): values per header column",
                        k + 2
                    ),
                    expected: header.len(),
                    found: values.len(),
                });
            }
            rows.push((id, values));
        }
        let mut matrix = Array2::zeros((sample_ids.len(), header.len()));
        for (i, s) in sample_ids.iter().enumerate() {
            let (_, v) =
                rows.iter()
                    .find(|(id, _)| id == s)
                    .ok_or_else(|| {
                        DeError::InvalidDesign {
                    reason: format!("sample {s:?} has no row in the design matrix file"),
                    fix: "give one row per sample of the counts table, first column the sample id"
                        .into(),
                }
                    })?;
            for (j, x) in v.iter().enumerate() {
                matrix[[i, j]] = *x;
            }
        }
        Design::new(header, matrix)
    }

    /// Checks the design can be fitted: more samples than coefficients, no all-zero
    /// column. (Rank deficiency is found by the QR in `lm_fit`.)
    pub fn check(&self) -> Result<()> {
        let (n, p) = self.matrix.dim();
        if n <= p {
            return Err(DeError::InvalidDesign {
                reason: format!(
                    "the design has {p} coefficients ({}) but only {n} samples: no residual \
                     degrees of freedom",
                    self.columns.join(", ")
                ),
                fix: "add samples or drop terms from the design".into(),
            });
        }
        let zero: Vec<&str> = (0..p)
            .filter(|&j| self.matrix.column(j).iter().all(|&x| x == 0.0))
            .map(|j| self.columns[j].as_str())
            .collect();
        if !zero.is_empty() {
            return Err(DeError::InvalidDesign {
                reason: format!("design column(s) {zero:?} are zero for every sample"),
                fix: "drop those columns (a level no sample has)".into(),
            });
        }
        Ok(())
    }

    /// A contrast vector from `name=weight` pairs or plain coefficient names, e.g.
    /// `dextrt` or `dextrt=1,dexuntrt=-1`, or a comma-separated vector of numbers (one per
    /// coefficient).
    pub fn contrast(&self, spec: &str) -> Result<Vec<f64>> {
        let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
        if parts.iter().all(|p| p.parse::<f64>().is_ok()) {
            let v: Vec<f64> = parts.iter().map(|p| p.parse().unwrap_or(0.0)).collect();
            if v.len() != self.columns.len() {
                return Err(DeError::Shape {
                    what: format!(
                        "contrast vector {spec:?}: one weight per coefficient ({})",
                        self.columns.join(", ")
                    ),
                    expected: self.columns.len(),
                    found: v.len(),
                });
            }
            return Ok(v);
        }
        let mut v = vec![0.0; self.columns.len()];
        for p in parts {
            let (name, w) = match p.split_once('=') {
                Some((n, w)) => (
                    n.trim(),
                    w.trim().parse::<f64>().map_err(|_| DeError::InvalidParam {
                        name: "contrast",
                        value: spec.into(),
                        fix: format!(
                            "weight {w:?} is not a number: write name=weight, e.g. dextrt=1"
                        ),
                    })?,
                ),
                None => (p, 1.0),
            };
            v[self.coef_index(name)?] += w;
        }
        Ok(v)
    }
}

/// One formula term from the metadata.
fn term(
    meta: &MetadataTable,
    name: &str,
    forced: bool,
    reference: &[(String, String)],
) -> Result<Term> {
    let col = meta.column(name).ok_or_else(|| DeError::UnknownColumn {
        column: name.into(),
        available: meta.keys().map(String::from).collect(),
    })?;
    let mut values = Vec::with_capacity(col.len());
    for (i, v) in col.iter().enumerate() {
        match v.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() && v != "NA" => values.push(v.to_string()),
            other => {
                return Err(DeError::MissingValue {
                    column: name.into(),
                    row: i,
                    value: other.unwrap_or("").to_string(),
                })
            }
        }
    }
    let numeric: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let reference = reference.iter().find(|(c, _)| c == name).map(|(_, l)| l);
    if let (false, Some(x)) = (forced, numeric) {
        if reference.is_some() {
            return Err(DeError::InvalidParam {
                name: "reference_levels",
                value: name.into(),
                fix: format!("{name:?} is numeric; write factor({name}) in the formula to treat it as a factor"),
            });
        }
        return Ok(Term::Numeric {
            column: name.into(),
            values: x,
        });
    }
    let mut levels: Vec<String> = values.clone();
    levels.sort();
    levels.dedup();
    if levels.len() < 2 {
        return Err(DeError::OneLevel {
            column: name.into(),
            level: levels.first().cloned().unwrap_or_default(),
        });
    }
    if let Some(r) = reference {
        let k = levels
            .iter()
            .position(|l| l == r)
            .ok_or_else(|| DeError::InvalidParam {
                name: "reference_levels",
                value: format!("{name}={r}"),
                fix: format!("{name:?} has the levels {levels:?}"),
            })?;
        let l = levels.remove(k);
        levels.insert(0, l);
    }
    Ok(Term::Factor {
        column: name.into(),
        levels,
        values,
    })
}
