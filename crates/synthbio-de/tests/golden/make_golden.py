"""Golden values for synthbio-de, computed independently with numpy/scipy.

Input: the first 200 genes of the airway dexamethasone counts (Himes et al. 2014,
GSE52778; Bioconductor 'airway' via inmoose 0.9.1), 8 samples (4 donors, dex trt/untrt),
in crates/synthbio-normalize/tests/golden/airway_slice.tsv (genes x samples) and
airway_samples.tsv here.

References implemented here from the publications, not from the Rust code:
- edgeR log CPM with prior count (McCarthy, Chen & Smyth 2012, NAR 40:4288):
  prior_i = 2 L_i / mean(L); log2((y + prior_i) / (L_i + 2 prior_i) * 1e6).
- Welch t: scipy.stats.ttest_ind(equal_var=False).
- limma moderated t (Smyth 2004, SAGMB 3:3, sections 3-6): per gene the two-group
  linear model gives coef = mean_a - mean_b, s2 = pooled variance on d = n_a + n_b - 2
  df, unscaled se sqrt(1/n_a + 1/n_b). Hyperparameters by moments of
  e_g = log(s2_g) - digamma(d/2) + log(d/2): mean(e) = log(s0^2) + digamma(d0/2) -
  log(d0/2) and var(e) - trigamma(d/2) = trigamma(d0/2) (solved with brentq; d0 = inf
  when the left side is <= 0, s0^2 = mean of the offset variances then, as limma >=
  3.19.11). Variances are floored at
  1e-5 * median (median 1 if it is 0), as limma's fitFDist. Posterior
  s2_post = (d s2 + d0 s0^2) / (d + d0); moderated t = coef / (se * sqrt(s2_post)) on
  d + d0 df (capped at the total residual df), two-sided p from scipy.stats.t.
- Benjamini-Hochberg: scipy.stats.false_discovery_control(method="bh").
- Zero-variance rule (synthbio's documented convention): a group's variance is 0 when
  sd <= 1e-10 * max(1, |mean|); Welch t is undefined (null) when both are 0.
- Fold change: log2(cpm + 1) of a sample minus that of its reference.
- Benchmark metrics: scipy.stats.pearsonr / spearmanr, sign agreement over genes whose
  observed change is not 0, MSE; observed =
  donor N61311's dex fold change, predicted = donor N052611's, mean effect = mean of
  donors N080611 and N061011 (leave-one-donor-out), top 20 genes by |observed|.

Run: /work/main/.venv/bin/python make_golden.py
"""

import json
import os

import numpy as np
from scipy import optimize, special, stats

HERE = os.path.dirname(os.path.abspath(__file__))
# One copy of the slice for both crates: the normalize crate's.
SLICE = os.path.join(HERE, "..", "..", "..", "synthbio-normalize", "tests", "golden", "airway_slice.tsv")
ZERO_SD = 1e-10


def read():
    with open(SLICE) as f:
        header = f.readline().rstrip("\n").split("\t")[1:]
        genes, rows = [], []
        for line in f:
            parts = line.rstrip("\n").split("\t")
            genes.append(parts[0])
            rows.append([int(x) for x in parts[1:]])
    meta = {}
    with open(os.path.join(HERE, "airway_samples.tsv")) as f:
        cols = f.readline().rstrip("\n").split("\t")
        for line in f:
            rec = dict(zip(cols, line.rstrip("\n").split("\t")))
            meta[rec["run"]] = rec
    return header, genes, np.array(rows, dtype=np.float64).T, meta


def edger_log_cpm(y, prior_count=2.0):
    lib = y.sum(axis=1)
    prior = prior_count * lib / lib.mean()
    return np.log2((y + prior[:, None]) / (lib + 2 * prior)[:, None] * 1e6)


def log2_cpm1(y):
    return np.log2(y / y.sum(axis=1, keepdims=True) * 1e6 + 1)


def group_var(x):
    m = x.mean(axis=0)
    v = x.var(axis=0, ddof=1)
    v[np.sqrt(v) <= ZERO_SD * np.maximum(1, np.abs(m))] = 0.0
    return m, v


def welch(values, a, b):
    xa, xb = values[a], values[b]
    _, va = group_var(xa)
    _, vb = group_var(xb)
    t = np.full(values.shape[1], np.nan)
    df = np.full(values.shape[1], np.nan)
    p = np.full(values.shape[1], np.nan)
    ok = ~((va == 0) & (vb == 0))
    res = stats.ttest_ind(xa[:, ok], xb[:, ok], equal_var=False)
    t[ok], p[ok], df[ok] = res.statistic, res.pvalue, res.df
    return t, df, p


def trigamma_inverse(x):
    # Solve trigamma(y) = x; trigamma decreases from +inf to 0 on (0, inf).
    return optimize.brentq(lambda y: special.polygamma(1, y) - x, 1e-12, 1e12, xtol=1e-14, rtol=1e-14)


def fit_f_dist(s2, d):
    s2 = np.maximum(s2, 0)
    m = np.median(s2)
    if m == 0:
        m = 1.0
    x = np.maximum(s2, 1e-5 * m)
    e = np.log(x) - special.digamma(d / 2) + np.log(d / 2)
    emean = e.mean()
    evar = np.sum((e - emean) ** 2) / (len(e) - 1) - special.polygamma(1, d / 2)
    if evar > 0:
        d0 = 2 * trigamma_inverse(evar)
        s0 = np.exp(emean + special.digamma(d0 / 2) - np.log(d0 / 2))
    else:
        # limma >= 3.19.11: the mean of the (offset) variances (before: exp(emean)).
        d0, s0 = np.inf, x.mean()
    return float(d0), float(s0)


def moderated(values, a, b):
    ma, va = group_var(values[a])
    mb, vb = group_var(values[b])
    na, nb = len(a), len(b)
    d = na + nb - 2
    s2 = ((na - 1) * va + (nb - 1) * vb) / d
    d0, s0 = fit_f_dist(s2, d)
    post = s0 * np.ones_like(s2) if np.isinf(d0) else (d * s2 + d0 * s0) / (d + d0)
    se = np.sqrt(1 / na + 1 / nb)
    t = (ma - mb) / (se * np.sqrt(post))
    df = min(d + d0, d * len(s2))
    p = 2 * stats.t.sf(np.abs(t), df)
    return t, df, p, d0, s0


def bh(p):
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def nulls(v):
    """Floats with NaN and infinities as null (JSON has neither)."""
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(v, dtype=float)]


def de_case(values, a, b):
    ma, mb = values[a].mean(axis=0), values[b].mean(axis=0)
    out = {
        "log2_fc": nulls(ma - mb),
        "mean_expression": nulls(values[a + b].mean(axis=0)),
    }
    t, df, p = welch(values, a, b)
    out["welch"] = {"t": nulls(t), "df": nulls(df), "p": nulls(p), "adj_p": nulls(bh(p))}
    t, df, p, d0, s0 = moderated(values, a, b)
    out["moderated"] = {
        "t": nulls(t),
        "df": float(df),
        "p": nulls(p),
        "adj_p": nulls(bh(p)),
        "df_prior": d0,
        "var_prior": s0,
    }
    return out


def metrics(pred, obs):
    def corr(f):
        if np.all(pred == pred[0]) or np.all(obs == obs[0]):
            return None
        return float(f(pred, obs).statistic)

    return {
        "n_genes": len(obs),
        "pearson": corr(stats.pearsonr),
        "spearman": corr(stats.spearmanr),
        "direction_agreement": (
            float(np.mean(np.sign(pred[obs != 0]) == np.sign(obs[obs != 0])))
            if np.any(obs != 0)
            else None
        ),
        "mse": float(np.mean((pred - obs) ** 2)),
    }


def scoped(pred, obs, top):
    return {"all": metrics(pred, obs), "top": metrics(pred[top], obs[top])}


def main():
    samples, genes, y, meta = read()
    dex = [meta[s]["dex"] for s in samples]
    a = [i for i, d in enumerate(dex) if d == "trt"]
    b = [i for i, d in enumerate(dex) if d == "untrt"]
    gold = {"samples": samples, "group_a": a, "group_b": b}
    gold["log_cpm"] = de_case(edger_log_cpm(y), a, b)
    gold["log2_cpm_plus_one"] = de_case(log2_cpm1(y), a, b)

    # Fold changes trt vs untrt within each donor.
    lc = log2_cpm1(y)
    by_donor = {}
    for i, s in enumerate(samples):
        by_donor.setdefault(meta[s]["cell"], {})[meta[s]["dex"]] = i
    fc = {c: lc[d["trt"]] - lc[d["untrt"]] for c, d in by_donor.items()}
    obs = fc["N61311"]
    order = np.argsort(-obs, kind="stable")
    gold["fold_change"] = {
        "generated": samples[by_donor["N61311"]["trt"]],
        "reference": samples[by_donor["N61311"]["untrt"]],
        "log2_fc": nulls(obs),
        "top_up": [genes[i] for i in order[:5]],
        "top_down": [genes[i] for i in np.argsort(obs, kind="stable")[:5]],
    }
    pred = fc["N052611"]
    mean_effect = (fc["N080611"] + fc["N061011"]) / 2
    top = np.argsort(-np.abs(obs), kind="stable")[:20]
    gold["benchmark"] = {
        "observed": nulls(obs),
        "predicted": nulls(pred),
        "mean_effect": nulls(mean_effect),
        "top_n": 20,
        "top_genes": [int(i) for i in top],
        "model": scoped(pred, obs, top),
        "no_change": scoped(np.zeros_like(obs), obs, top),
        "mean_effect_baseline": scoped(mean_effect, obs, top),
    }

    xs = [0.05, 0.5, 1.0, 1.5, 3.0, 7.25, 11.9, 12.0, 50.0, 1e3]
    gold["special"] = {
        "x": xs,
        "digamma": [float(special.digamma(x)) for x in xs],
        "trigamma": [float(special.polygamma(1, x)) for x in xs],
        "tetragamma": [float(special.polygamma(2, x)) for x in xs],
        "trigamma_inverse": [trigamma_inverse(x) for x in xs],
    }
    # fitFDist edge cases (d0 infinite, mostly zero variances) come from limma itself:
    # limma_fit_f_dist.tsv, written by make_limma_golden.R.
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(gold, f, allow_nan=False)
    m = gold["log_cpm"]["moderated"]
    print(f"d0 {m['df_prior']:.4f} s0^2 {m['var_prior']:.5f}; "
          f"welch undefined {sum(x is None for x in gold['log_cpm']['welch']['t'])}")


if __name__ == "__main__":
    main()
