"""Golden values of the sex head (src/sex_head.rs), computed independently
with numpy/pandas/scikit-learn from data/bulk/ (run from the repository root:
`.venv/bin/python crates/synthbio-engine/tests/golden/make_sex_golden.py`).

Labels: bulk/samples.tsv `sex` with bulk/label_corrections.tsv applied.
Library sizes: library_sizes.tsv (written by make_golden.py). Each labelled
sample weighs 1 / (labelled samples of its donor).

Writes sex_head.tsv:
- `marker` rows: per marker gene measured by labelled samples of both sexes,
  the weighted mean log2(CPM + 1) of the female and of the male samples;
- `logistic` rows: intercept and slopes of scikit-learn's L2 logistic
  regression (C = 1 / 0.01, intercept unpenalised, lbfgs) of male on the
  scores: y = mean over the measured Y markers of (level - female mean) /
  (male mean - female mean); x = (XIST - male mean) / (female mean - male
  mean); fitted on `y`, on `y,x` and on `x` (samples that have the scores).
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[4]
OUT = Path(__file__).resolve().parent
# synthbio-qc's markers: RPS4Y1, DDX3Y, KDM5D, UTY, EIF1AY, USP9Y, ZFY, NLGN4Y, TXLNGY; XIST
Y = ["ENSG00000129824", "ENSG00000067048", "ENSG00000012817", "ENSG00000183878",
     "ENSG00000198692", "ENSG00000114374", "ENSG00000067646", "ENSG00000165246",
     "ENSG00000131002"]
XIST = "ENSG00000229807"
RIDGE = 0.01


def main() -> None:
    counts = pd.read_csv(ROOT / "data/bulk/counts.tsv.gz", sep="\t", index_col=0)
    samples = pd.read_csv(ROOT / "data/bulk/samples.tsv", sep="\t", dtype=str,
                          keep_default_na=False).set_index("sample_id")
    fixes = pd.read_csv(ROOT / "data/bulk/label_corrections.tsv", sep="\t", dtype=str)
    for _, f in fixes.iterrows():
        assert samples.loc[f.sample_id, f.key] == f.source_value
        samples.loc[f.sample_id, f.key] = f.corrected_value
    lib = pd.read_csv(OUT / "library_sizes.tsv", sep="\t", index_col=0)["library_size"]
    lab = samples[samples.sex.isin(["female", "male"])]
    weight = 1.0 / lab.groupby("donor").donor.transform("size")
    male = (lab.sex == "male").to_numpy()
    level = np.log2(counts.loc[Y + [XIST], lab.index] / lib[lab.index].to_numpy() * 1e6 + 1)

    rows = []
    scales = {}
    for g in Y + [XIST]:
        v = level.loc[g].to_numpy()
        ok = ~np.isnan(v)
        w = weight.to_numpy()
        if not (ok & male).any() or not (ok & ~male).any():
            continue
        f = np.average(v[ok & ~male], weights=w[ok & ~male])
        m = np.average(v[ok & male], weights=w[ok & male])
        gap = m - f if g != XIST else f - m
        if gap >= 1.0:
            scales[g] = (f, m)
            rows.append(["marker", g, repr(float(f)), repr(float(m))])
    y_genes = [g for g in Y if g in scales]
    ys = np.array([(level.loc[g].to_numpy() - scales[g][0]) / (scales[g][1] - scales[g][0]) for g in y_genes])
    y_score = np.nanmean(ys, axis=0)
    if XIST in scales:
        f, m = scales[XIST]
        x_score = (level.loc[XIST].to_numpy() - m) / (f - m)
    else:
        x_score = np.full(len(lab), np.nan)
    for name, feats in [("y", [y_score]), ("y,x", [y_score, x_score]), ("x", [x_score])]:
        X = np.column_stack(feats)
        ok = ~np.isnan(X).any(axis=1)
        if len(set(male[ok])) < 2:
            continue
        fit = LogisticRegression(C=1 / RIDGE, tol=1e-12, max_iter=100000)
        fit.fit(X[ok], male[ok], sample_weight=weight.to_numpy()[ok])
        coef = [fit.intercept_[0], *fit.coef_[0]]
        rows.append(["logistic", name, *[repr(float(c)) for c in coef]])
    width = max(len(r) for r in rows)
    with open(OUT / "sex_head.tsv", "w") as out:
        out.write("\t".join(["kind", "name"] + [f"v{k}" for k in range(width - 2)]) + "\n")
        for r in rows:
            out.write("\t".join(r + [""] * (width - len(r))) + "\n")


if __name__ == "__main__":
    main()
