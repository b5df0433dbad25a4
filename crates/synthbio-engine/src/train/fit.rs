//! The fit of one modality's model: effects, subspaces, encoder, priors,
//! classifiers and noise, in that order (see the crate doc for the model).

use super::classifiers::fit_classifiers;
use super::config::FitConfig;
use super::dispersion::fit_dispersion;
use super::effects::{perturbation_effects, Effect};
use super::prep::{Arm, Prepared};
use super::priors::{fit_linear_prior, fit_pert_prior};
use super::regress::{ridge_from_groups, weighted_moments};
use super::sex::fit_sex_head;
use super::shared_residual::residual_share;
use crate::io::RawSet;
use crate::linalg::exact::{exact_product, Split};
use crate::linalg::small::{chol_inverse, cholesky_jittered};
use crate::linalg::top_right_singular;
use crate::params::{Combo, Examples, ModelParams, FORMAT};
use crate::posterior::Encoder;
use crate::schema::one_hot;
use crate::EngineError;
use ndarray::{concatenate, Array1, Array2, Axis, Slice};
use synthbio_core::LatentBlock;

/// Floor of the residual variance, as a fraction of its median over genes.
const NOISE_FLOOR: f64 = 0.05;

/// Fits a model to the samples of `raw`.
pub(crate) fn fit(raw: &RawSet, config: &FitConfig) -> Result<ModelParams, EngineError> {
    fit_counting_effects(raw, config).map(|(p, _)| p)
}

/// [`fit`], also returning the number of perturbation effects learned.
pub(crate) fn fit_counting_effects(
    raw: &RawSet,
    config: &FitConfig,
) -> Result<(ModelParams, usize), EngineError> {
    let p = Prepared::new(raw, config.scale, config.context_key)?;
    let g = p.g();
    if g == 0 {
        return Err(EngineError::Training("no genes".into()));
    }

    // 1. Perturbation effects and their subspace.
    let effects = perturbation_effects(&p);
    let (w_p, effect_coords) = perturbation_subspace(&effects, config, g);

    // 2. Mean and one-hot effects of the biological and technical metadata,
    //    after removing the perturbation effects, by ridge regression on combos.
    let f_bio = p.schema.features(LatentBlock::Biological);
    let f_tech = p.schema.features(LatentBlock::Technical);
    let features: Vec<(u16, u16)> = f_bio.iter().chain(&f_tech).copied().collect();
    let n_combos = p.combos.len();
    let combo_group: Vec<Option<usize>> = p.combo_of.iter().map(|&c| Some(c)).collect();
    let (mut sums, counts) = p.group_sums(&combo_group, n_combos);
    let combo_pert = combo_perturbation(&p, &effects, &effect_coords, &w_p);
    for (c, shift) in combo_pert.iter().enumerate() {
        if let Some(shift) = shift {
            let n = counts.row(c);
            let row = sums.row_mut(c).into_slice().expect("standard layout");
            for ((dst, &sh), &n) in row.iter_mut().zip(shift).zip(n.iter()) {
                *dst -= n * sh;
            }
        }
    }
    let x_combo = Array2::from_shape_fn((n_combos, features.len()), |(c, f)| {
        one_hot(&features[f..f + 1], &p.combos[c].0)[0]
    });
    let gene_class = gene_classes(&p);
    let (mu, coef) = ridge_from_groups(
        x_combo.view(),
        sums.view(),
        counts.view(),
        &gene_class,
        config.ridge,
    );
    let combo_fit = fixed_order_matmul(&x_combo, &coef);

    // 3. Model rows: all samples, or a subsample balanced over combinations.
    let (rows, row_w) = model_rows(&p, config.max_rows);
    let mut centred = p.dense(&rows);
    let mu_s = mu.as_slice().expect("contiguous");
    for (r, &i) in rows.iter().enumerate() {
        let measured = p.measured(i);
        let row = centred.row_mut(r).into_slice().expect("standard layout");
        for ((v, &m), &on) in row.iter_mut().zip(mu_s).zip(measured) {
            *v = if on { *v - m } else { 0.0 };
        }
    }
    // residuals after metadata and perturbation effects
    let mut resid = centred.clone();
    for (r, &i) in rows.iter().enumerate() {
        let c = p.combo_of[i];
        let measured = p.measured(i);
        let fit_row = combo_fit.row(c);
        let fit_s = fit_row.as_slice().expect("standard layout");
        let row = resid.row_mut(r).into_slice().expect("standard layout");
        for ((v, &f), &on) in row.iter_mut().zip(fit_s).zip(measured) {
            if on {
                *v -= f;
            }
        }
        if let Some(shift) = &combo_pert[c] {
            for ((v, &sh), &on) in row.iter_mut().zip(shift).zip(measured) {
                if on {
                    *v -= sh;
                }
            }
        }
    }

    // 4. Sequencing depth: the residual effect of the log library size.
    let depth_row = depth_effect(&p, &rows, &row_w, &mut resid);

    // 5. Technical and biological subspaces.
    let n_level = level_counts(&p, &features);
    let mut tech_rows: Vec<Vec<f64>> = Vec::new();
    let mut bio_rows: Vec<Vec<f64>> = Vec::new();
    for (f, &(k, _)) in features.iter().enumerate() {
        let row: Vec<f64> = coef.row(f).iter().map(|&b| b * n_level[f].sqrt()).collect();
        if p.schema.keys[k as usize].block == LatentBlock::Technical {
            tech_rows.push(row);
        } else {
            bio_rows.push(row);
        }
    }
    tech_rows.push(depth_row);
    let w_t = subspace(&tech_rows, None, config.max_tech, config.rank_tol, g);
    // every biological effect first, then the residual's leading directions
    let w_b = subspace(
        &bio_rows,
        Some((resid, &row_w)),
        config.max_bio,
        config.rank_tol,
        g,
    );
    let dims = [w_b.ncols(), w_t.ncols(), w_p.ncols()];
    let w = concatenate(Axis(1), &[w_b.view(), w_t.view(), w_p.view()])
        .map_err(|e| EngineError::Training(format!("loadings: {e}")))?;
    let d = w.ncols();
    if d == 0 {
        return Err(EngineError::Training(
            "the data show no structure to model (all latent blocks are empty)".into(),
        ));
    }

    // 6. Encoder: least squares first, then the Gaussian posterior with the
    //    residual variance per gene and the latents' spread as prior.
    let masks = row_masks(&p, &rows);
    let centred_split = Split::new(centred.view());
    let w_split = Split::new(w.view());
    let ones = Array1::<f64>::ones(g);
    let eps = Array2::<f64>::eye(d) * 1e-6;
    let ctx = EncodeCtx {
        p: &p,
        masks: &masks,
        centred: &centred_split,
        w: &w,
        w_split: &w_split,
    };
    let (z0, _) = ctx.encode(&ones, &Array1::zeros(d), &eps, &row_w);
    let noise_var = residual_variance(&p, &rows, &row_w, &centred, &z0, &w_split);
    drop(centred);
    let (m0, s0) = weighted_moments(z0.view(), &row_w);
    let s0 = s0 + &eps;
    let s0_inv = chol_inverse(cholesky_jittered(s0.view()).view());
    let gene_weight = noise_var.mapv(|v| 1.0 / v);
    let (z, post_cov) = ctx.encode(&gene_weight, &m0, &s0_inv, &row_w);
    drop(centred_split);

    // 7. Priors p(z | metadata) per block.
    let row_codes: Vec<_> = rows.iter().map(|&i| p.codes[i].clone()).collect();
    let (ob, ot) = (0, dims[0]);
    let op = dims[0] + dims[1];
    let block = |a: usize, n: usize| z.slice_axis(Axis(1), Slice::from(a..a + n)).to_owned();
    let cov_block = |a: usize, n: usize| {
        post_cov
            .slice_axis(Axis(0), Slice::from(a..a + n))
            .slice_axis(Axis(1), Slice::from(a..a + n))
            .to_owned()
    };
    let bio_prior = fit_linear_prior(
        f_bio,
        &row_codes,
        block(ob, dims[0]).view(),
        &row_w,
        config.ridge,
        &cov_block(ob, dims[0]),
    );
    let tech_prior = fit_linear_prior(
        f_tech,
        &row_codes,
        block(ot, dims[1]).view(),
        &row_w,
        config.ridge,
        &cov_block(ot, dims[1]),
    );
    let pert_prior = fit_pert_prior(
        &p,
        &rows,
        &row_w,
        block(op, dims[2]).view(),
        &effects,
        &effect_coords,
        &cov_block(op, dims[2]),
    );

    // 8. Classifiers of every known key on the latent means.
    let classifiers = fit_classifiers(
        &p,
        &rows,
        &row_w,
        z.view(),
        dims,
        &post_cov,
        config.expression_heads,
    );

    // 9. Measurement noise for sample generation.
    let dispersion = if config.dispersion {
        fit_dispersion(&p, &rows, &z, &w_split, &mu)
    } else {
        Vec::new()
    };

    let residual_share = residual_share(raw, &p, config, &mu)?;
    let examples = examples(&p, &effects)?;
    let params = ModelParams {
        format: FORMAT,
        modality: raw.modality,
        model_version: format!("{}-local-{}", config.base_id, env!("CARGO_PKG_VERSION")),
        scale: config.scale,
        gene_ids: raw.gene_ids.clone(),
        schema: p.schema.clone(),
        dims: dims.map(|x| x as u32),
        mu: mu.iter().map(|&v| v as f32).collect(),
        loadings: w.iter().map(|&v| v as f32).collect(),
        noise_var: noise_var.iter().map(|&v| v as f32).collect(),
        dispersion,
        residual_share,
        marginal_mean: m0.to_vec(),
        marginal_cov: s0.iter().copied().collect(),
        bio_prior,
        tech_prior,
        pert_prior,
        combos: p
            .combos
            .iter()
            .map(|(codes, members)| Combo {
                codes: codes.clone(),
                weight: members.len() as u32,
            })
            .collect(),
        classifiers,
        sex_head: fit_sex_head(&p),
        examples,
        panels: reduced_panels(raw),
    };
    Ok((params, effects.len()))
}

/// Fewest unmeasured genes that make a training mask a reduced panel worth
/// recognising at prediction time: zero counts on so many genes at once do not
/// happen by chance in a sample that measured them.
const MIN_PANEL_GAP: usize = 500;

/// The unmeasured genes of each reduced panel of the training data, largest
/// gap first.
fn reduced_panels(raw: &RawSet) -> Vec<Vec<u32>> {
    let mut panels: Vec<Vec<u32>> = raw
        .masks
        .iter()
        .map(|m| {
            m.iter()
                .enumerate()
                .filter(|&(_, &on)| !on)
                .map(|(j, _)| j as u32)
                .collect::<Vec<u32>>()
        })
        .filter(|gap| gap.len() >= MIN_PANEL_GAP)
        .collect();
    panels.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    panels.dedup();
    panels
}

/// Orthonormal basis of the effects (rows weighted by the square root of their
/// treated samples) and each effect's coordinates in it.
fn perturbation_subspace(
    effects: &[Effect],
    config: &FitConfig,
    g: usize,
) -> (Array2<f64>, Vec<Vec<f64>>) {
    let rows: Vec<Vec<f64>> = effects
        .iter()
        .map(|e| {
            let s = (e.n_treated as f64).sqrt();
            e.delta.iter().map(|&v| v * s).collect()
        })
        .collect();
    let w_p = subspace(&rows, None, config.max_pert, config.rank_tol, g);
    if w_p.ncols() == 0 {
        return (w_p, effects.iter().map(|_| Vec::new()).collect());
    }
    let deltas = Array2::from_shape_fn((effects.len(), g), |(e, j)| effects[e].delta[j]);
    let coords = exact_product(
        Split::new(deltas.view()).view(),
        Split::new(w_p.view()).view(),
    );
    (w_p, coords.rows().into_iter().map(|r| r.to_vec()).collect())
}

/// Per combination, the perturbation shift `W_p a` of its condition and context
/// (`None` for untreated combinations or effects not learned).
fn combo_perturbation(
    p: &Prepared<'_>,
    effects: &[Effect],
    coords: &[Vec<f64>],
    w_p: &Array2<f64>,
) -> Vec<Option<Vec<f64>>> {
    p.combos
        .iter()
        .map(|(_, members)| {
            let i = members[0];
            let Arm::Treated(v) = p.arm[i] else {
                return None;
            };
            let ctx = p.context(i);
            let e = effects
                .iter()
                .position(|e| e.condition == v && e.context == ctx)?;
            let a = &coords[e];
            Some(
                (0..w_p.nrows())
                    .map(|j| (0..a.len()).map(|t| w_p[[j, t]] * a[t]).sum())
                    .collect(),
            )
        })
        .collect()
}

/// `a · b` in fixed order for a small left factor (combinations x features).
fn fixed_order_matmul(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    crate::linalg::small::matmul(a.view(), b.view())
}

/// The dense model rows and their weights (samples each row stands for).
fn model_rows(p: &Prepared<'_>, max_rows: usize) -> (Vec<usize>, Vec<f64>) {
    if p.n() <= max_rows {
        return ((0..p.n()).collect(), vec![1.0; p.n()]);
    }
    let per_combo = max_rows.div_ceil(p.combos.len()).max(1);
    let mut rows = Vec::new();
    let mut weights = Vec::new();
    for (_, members) in &p.combos {
        let m = members.len().min(per_combo);
        for j in 0..m {
            rows.push(members[j * members.len() / m]);
            weights.push(members.len() as f64 / m as f64);
        }
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&k| rows[k]);
    (
        order.iter().map(|&k| rows[k]).collect(),
        order.iter().map(|&k| weights[k]).collect(),
    )
}

/// Removes the effect of the centred log library size from the residuals and
/// returns it as a technical row (scaled by the spread of the log library size).
fn depth_effect(p: &Prepared<'_>, rows: &[usize], w: &[f64], resid: &mut Array2<f64>) -> Vec<f64> {
    let g = p.g();
    let ell: Vec<f64> = rows.iter().map(|&i| libm::log2(p.lib[i])).collect();
    let total: f64 = w.iter().sum();
    let mean = ell.iter().zip(w).map(|(l, w)| l * w).sum::<f64>() / total;
    let centred: Vec<f64> = ell.iter().map(|l| l - mean).collect();
    let lhs = Array2::from_shape_fn((1, rows.len()), |(_, r)| w[r] * centred[r]);
    let num = exact_product(
        Split::new(lhs.view()).view(),
        Split::new(resid.view()).view(),
    );
    // denominators per gene, through the measured-gene masks
    let mut per_mask = vec![0.0; p.raw.masks.len()];
    for (r, &i) in rows.iter().enumerate() {
        per_mask[p.raw.sample_mask[i]] += w[r] * centred[r] * centred[r];
    }
    let mut den = vec![0.0; g];
    for (m, &v) in per_mask.iter().enumerate() {
        if v > 0.0 {
            for (d, &on) in den.iter_mut().zip(&p.raw.masks[m]) {
                if on {
                    *d += v;
                }
            }
        }
    }
    let num = num.as_slice().expect("standard layout");
    let effect: Vec<f64> = num
        .iter()
        .zip(&den)
        .map(|(&n, &d)| if d > 0.0 { n / d } else { 0.0 })
        .collect();
    for (r, &i) in rows.iter().enumerate() {
        let m = p.measured(i);
        let c = centred[r];
        let row = resid.row_mut(r).into_slice().expect("standard layout");
        for ((v, &e), &on) in row.iter_mut().zip(&effect).zip(m) {
            if on {
                *v -= c * e;
            }
        }
    }
    let spread = (w.iter().zip(&centred).map(|(w, c)| w * c * c).sum::<f64>()).sqrt();
    effect.iter().map(|e| e * spread).collect()
}

/// Genes grouped by the masks that measure them (same class, same counts).
fn gene_classes(p: &Prepared<'_>) -> Vec<usize> {
    let masks = &p.raw.masks;
    let mut index: std::collections::BTreeMap<Vec<bool>, usize> = Default::default();
    (0..p.g())
        .map(|j| {
            let key: Vec<bool> = masks.iter().map(|m| m[j]).collect();
            let next = index.len();
            *index.entry(key).or_insert(next)
        })
        .collect()
}

/// Samples with each (key, level) feature.
fn level_counts(p: &Prepared<'_>, features: &[(u16, u16)]) -> Vec<f64> {
    features
        .iter()
        .map(|&(k, l)| p.codes.iter().filter(|c| c[k as usize] == Some(l)).count() as f64)
        .collect()
}

/// An orthonormal basis (genes x dims): the leading right singular vectors of
/// the effect `rows` (each genes long), then, up to `k_max` in all, those of
/// the weighted `extra` rows after projecting the first part out.
fn subspace(
    rows: &[Vec<f64>],
    extra: Option<(Array2<f64>, &[f64])>,
    k_max: usize,
    rank_tol: f64,
    g: usize,
) -> Array2<f64> {
    let mut basis = Array2::zeros((g, 0));
    if !rows.is_empty() && k_max > 0 {
        let mut m = Array2::<f64>::zeros((rows.len(), g));
        for (r, row) in rows.iter().enumerate() {
            m.row_mut(r)
                .into_slice()
                .expect("standard layout")
                .copy_from_slice(row);
        }
        basis = top_right_singular(m.view(), k_max, rank_tol).1;
    }
    let Some((mut e, w)) = extra else {
        return basis;
    };
    let left = k_max.saturating_sub(basis.ncols());
    if left == 0 || e.nrows() == 0 {
        return basis;
    }
    for (mut row, &wr) in e.rows_mut().into_iter().zip(w) {
        let s = wr.sqrt();
        row.mapv_inplace(|v| v * s);
    }
    if basis.ncols() > 0 {
        let b = Split::new(basis.view());
        let coords = exact_product(Split::new(e.view()).view(), b.view());
        let along = exact_product(Split::new(coords.view()).view(), b.view().t());
        e -= &along;
    }
    let more = top_right_singular(e.view(), left, rank_tol).1;
    concatenate(Axis(1), &[basis.view(), more.view()]).expect("same number of genes")
}

/// Mask index of each model row, and the rows of each mask.
fn row_masks(p: &Prepared<'_>, rows: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for (r, &i) in rows.iter().enumerate() {
        let m = p.raw.sample_mask[i];
        match out.iter_mut().find(|(k, _)| *k == m) {
            Some((_, v)) => v.push(r),
            None => out.push((m, vec![r])),
        }
    }
    out
}

/// What encoding the model rows needs.
struct EncodeCtx<'a> {
    p: &'a Prepared<'a>,
    masks: &'a [(usize, Vec<usize>)],
    centred: &'a Split,
    w: &'a Array2<f64>,
    w_split: &'a Split,
}

impl EncodeCtx<'_> {
    /// Posterior means of the model rows (one encoder per measured-gene mask)
    /// and the row-weighted mean posterior covariance.
    fn encode(
        &self,
        gene_weight: &Array1<f64>,
        m0: &Array1<f64>,
        prior_precision: &Array2<f64>,
        row_w: &[f64],
    ) -> (Array2<f64>, Array2<f64>) {
        let n = row_w.len();
        let d = self.w.ncols();
        let mut z = Array2::zeros((n, d));
        let mut cov = Array2::<f64>::zeros((d, d));
        let mut total = 0.0;
        for (m, members) in self.masks {
            let mask = &self.p.raw.masks[*m];
            let weight =
                Array1::from_iter(
                    gene_weight
                        .iter()
                        .zip(mask)
                        .map(|(&w, &on)| if on { w } else { 0.0 }),
                );
            let enc = Encoder::new(
                self.w.view(),
                self.w_split,
                weight.view(),
                m0.view(),
                prior_precision.view(),
            );
            let zm = if members.len() == n {
                enc.encode(self.centred.view())
            } else {
                enc.encode(self.centred.select_rows(members).view())
            };
            for (k, &r) in members.iter().enumerate() {
                z.row_mut(r).assign(&zm.row(k));
            }
            let wm: f64 = members.iter().map(|&r| row_w[r]).sum();
            cov.scaled_add(wm, &enc.cov);
            total += wm;
        }
        (z, cov / total)
    }
}

/// Residual variance of the log expression per gene after the latent fit,
/// floored at a fraction of its median.
fn residual_variance(
    p: &Prepared<'_>,
    rows: &[usize],
    row_w: &[f64],
    centred: &Array2<f64>,
    z: &Array2<f64>,
    w: &Split,
) -> Array1<f64> {
    let g = p.g();
    let fitted = exact_product(Split::new(z.view()).view(), w.view().t());
    let mut num = vec![0.0; g];
    let mut den = vec![0.0; g];
    for (r, &i) in rows.iter().enumerate() {
        let m = p.measured(i);
        let wr = row_w[r];
        let c = centred.row(r);
        let f = fitted.row(r);
        let (c, f) = (
            c.as_slice().expect("standard"),
            f.as_slice().expect("standard"),
        );
        for ((((nu, de), &on), &cv), &fv) in num.iter_mut().zip(den.iter_mut()).zip(m).zip(c).zip(f)
        {
            if on {
                let e = cv - fv;
                *nu += wr * e * e;
                *de += wr;
            }
        }
    }
    let raw: Vec<Option<f64>> = (0..g)
        .map(|j| (den[j] > 0.0).then(|| num[j] / den[j]))
        .collect();
    let mut sorted: Vec<f64> = raw.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(1.0);
    let floor = (NOISE_FLOOR * median).max(1e-6);
    // a gene no row measured gets a variance so large that it carries no weight
    Array1::from_iter(raw.iter().map(|r| r.map_or(1e6, |v| v.max(floor))))
}

/// The example reference: the first control sample of a unit with the most
/// widely paired perturbation, and that perturbation.
fn examples(p: &Prepared<'_>, effects: &[Effect]) -> Result<Examples, EngineError> {
    let best = effects
        .iter()
        .enumerate()
        .max_by_key(|(k, e)| (e.units.len(), e.n_treated, std::cmp::Reverse(*k)))
        .map(|(_, e)| e);
    let reference = match best {
        Some(e) => (0..p.n()).find(|&i| {
            p.arm[i] == Arm::Control
                && e.units.contains(&p.pair_unit[i])
                && p.context(i) == e.context
        }),
        None => None,
    }
    .or_else(|| (0..p.n()).find(|&i| p.arm[i] == Arm::Control))
    .unwrap_or(0);
    let perturbation = match best {
        Some(e) => {
            let codes = &p.conditions[e.condition];
            p.pert_keys
                .iter()
                .zip(codes)
                .filter_map(|(&k, c)| {
                    c.map(|l| {
                        (
                            p.schema.keys[k].key.clone(),
                            p.schema.keys[k].levels[l as usize].clone(),
                        )
                    })
                })
                .collect()
        }
        None => Default::default(),
    };
    let mut counts = vec![0u32; p.g()];
    for (j, c) in p.raw.row(reference) {
        counts[j] = c;
    }
    Ok(Examples {
        reference_counts: counts,
        reference_metadata: p.raw.metadata[reference].clone(),
        perturbation,
    })
}
