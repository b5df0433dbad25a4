#!/usr/bin/env python3
"""Golden values of the DEG-weighted metrics of "Diversity by Design" (Mejia et al.
2025, arXiv:2506.22641) on the `synthetic` case of `make_golden.py`.

Run from the repository root (after `make_golden.py`, whose venv it reuses):

    python3.11 crates/synthbio-benchmark/tests/golden/make_weighted_golden.py

The definitions follow the authors' published code (github.com/shiftbioscience/
diversity_by_design, `analyses/common.py` and `analyses/modeling_metrics/plotting.py`),
written here from those definitions with independent libraries, not copied:

- DEG scores: scanpy `rank_genes_groups(method="t-test_overestim_var",
  reference="rest")` on the real perturbed cells (control excluded), log-normalised
  as cell-eval normalises them;
  scanpy stores the scores as float32, so the weights start from float32 values;
- weights: `(minmax |score|)^2` per perturbation (normalised to sum 1 here; neither
  metric depends on their scale);
- `wmse`: numpy, weighted mean of squared pseudobulk errors;
- `r2_delta` / `weighted_r2_delta`: scikit-learn `r2_score` (with `sample_weight`) of
  the deltas `pseudobulk - mu_all`, `mu_all` the mean of the real perturbations'
  pseudobulks (control excluded), for the prediction and for the mean baseline
  (every perturbation predicted as `mu_all`).

Writes `synthetic_weighted.tsv` (predictor, perturbation, wmse, r2_delta,
weighted_r2_delta) and `synthetic_deg_weights.tsv` (perturbation, gene, score, weight).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_golden  # noqa: E402  (its venv and its normalisation)

CONTROL = "non-targeting"


def read(path):
    import numpy as np

    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    genes = rows[0][2:]
    perts = np.array([r[1] for r in rows[1:]])
    x = np.array([[float(v) for v in r[2:]] for r in rows[1:]])
    return perts, genes, make_golden.lognorm(x)


def main():
    import anndata as ad
    import numpy as np
    import pandas as pd
    import scanpy as sc
    from sklearn.metrics import r2_score

    perts_r, genes, xr = read(HERE / "synthetic_real.tsv")
    perts_p, genes_p, xp = read(HERE / "synthetic_pred.tsv")
    assert genes == genes_p
    labels = sorted(set(perts_r) - {CONTROL})

    sub = perts_r != CONTROL
    a = ad.AnnData(X=xr[sub], obs=pd.DataFrame({"condition": perts_r[sub]}), var=pd.DataFrame(index=genes))
    a.obs.index = [f"c{i}" for i in range(a.n_obs)]
    sc.tl.rank_genes_groups(a, "condition", method="t-test_overestim_var", reference="rest", n_genes=len(genes))
    res = a.uns["rank_genes_groups"]

    weights = {}
    with open(HERE / "synthetic_deg_weights.tsv", "w") as f:
        f.write("perturbation\tgene\tscore\tweight\n")
        for p in labels:
            score = pd.Series(np.asarray(res["scores"][p], dtype=np.float64), index=list(res["names"][p]))
            score = score.reindex(genes).to_numpy()
            s = np.abs(score)
            w = ((s - s.min()) / (s.max() - s.min())) ** 2
            w = w / w.sum()
            weights[p] = w
            for g, sv, wv in zip(genes, score, w):
                f.write(f"{p}\t{g}\t{float(sv)!r}\t{float(wv)!r}\n")

    real_pb = {p: xr[perts_r == p].mean(axis=0) for p in labels}
    pred_pb = {p: xp[perts_p == p].mean(axis=0) for p in labels}
    mu_all = np.mean([real_pb[p] for p in labels], axis=0)
    with open(HERE / "synthetic_weighted.tsv", "w") as f:
        f.write("predictor\tperturbation\twmse\tr2_delta\tweighted_r2_delta\n")
        for name, pred in (("model", pred_pb), ("mean_baseline", {p: mu_all for p in labels})):
            for p in labels:
                w = weights[p]
                wmse = float(np.sum(w / w.sum() * (pred[p] - real_pb[p]) ** 2))
                dt, dp = real_pb[p] - mu_all, pred[p] - mu_all
                r2 = r2_score(dt, dp)
                wr2 = r2_score(dt, dp, sample_weight=w)
                f.write(f"{name}\t{p}\t{wmse!r}\t{float(r2)!r}\t{float(wr2)!r}\n")


def in_venv() -> None:
    """Re-runs this script in make_golden.py's venv (made there if missing)."""
    import os
    import subprocess

    if os.environ.get("SYNTHBIO_GOLDEN_IN_VENV") == "1":
        return
    py = make_golden.VENV / "bin" / "python"
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(make_golden.VENV)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "cell-eval==0.8.2"])
    env = dict(os.environ, SYNTHBIO_GOLDEN_IN_VENV="1")
    sys.exit(subprocess.call([str(py), __file__], env=env))


if __name__ == "__main__":
    in_venv()
    main()
