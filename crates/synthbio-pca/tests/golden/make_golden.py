"""Golden values for synthbio-pca, from scikit-learn's PCA.

Run from the repository root (virtualenv from data/scripts/requirements.txt):

    .venv/bin/python crates/synthbio-pca/tests/golden/make_golden.py [--fetch]

Input: a fixed slice of the GEUVADIS lymphoblastoid counts shipped by Debian's
r-bioc-degreport 1.34.0+dfsg-1 (DEGreport/data/humanGender.rda; Lappalainen et
al. 2013; MIT), kept in geuvadis_slice.tsv (300 genes x 85 samples, raw counts,
plus each sample's library size over all 10,101 genes) so that the Rust tests
need nothing else. With `--fetch` (or when the slice is missing) the slice is
rewritten from the package, which data/scripts/sources.py downloads with
`apt-get download` and reads. The PCA input is log2(CPM + 1) with CPM over the full
library size; samples whose position is a multiple of 5 are held out as "new"
samples for transform().
"""

import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "../../../../data/scripts")
SLICE = os.path.join(HERE, "geuvadis_slice.tsv")


def geuvadis_tables():
    """The GEUVADIS tables, from Debian's r-bioc-degreport via data/scripts/sources.py."""
    sys.path.insert(0, SCRIPTS)
    import sources

    return sources.dataset("geuvadis_sex_degreport")


def make_slice():
    source = geuvadis_tables()
    counts = pd.read_csv(os.path.join(source, "counts.tsv.gz"), sep="\t", index_col=0)
    samples = pd.read_csv(os.path.join(source, "samples.tsv.gz"), sep="\t", index_col=0)
    assert (counts.columns == samples.index).all()
    expressed = counts.index[counts.mean(axis=1) >= 10]
    rng = np.random.default_rng(20261123)
    genes = sorted(rng.choice(expressed, size=300, replace=False))
    out = counts.loc[genes].copy()
    lib = pd.DataFrame([samples["lib_size"].values], columns=counts.columns, index=["__lib_size__"])
    pd.concat([lib, out]).to_csv(SLICE, sep="\t", index_label="gene_id")


def read_slice():
    t = pd.read_csv(SLICE, sep="\t", index_col=0)
    lib = t.loc["__lib_size__"].to_numpy(dtype=float)
    counts = t.drop(index="__lib_size__").to_numpy(dtype=float)
    x = np.log2(counts / lib * 1e6 + 1.0).T  # samples x genes
    new = np.arange(x.shape[0]) % 5 == 0
    return x[~new], x[new]


def case(name, pca, train, new, scaler=None):
    if scaler is not None:
        scaler.fit(train)
        train_in, new_in = scaler.transform(train), scaler.transform(new)
    else:
        train_in, new_in = train, new
    scores = pca.fit_transform(train_in)
    out = {
        "name": name,
        "solver": pca.svd_solver,
        "n_components": int(pca.n_components_),
        "columns": list(range(train.shape[1])),
        "standardize": scaler is not None,
        "explained_variance": pca.explained_variance_.tolist(),
        "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "singular_values": pca.singular_values_.tolist(),
        "components": pca.components_.tolist(),
        "mean": (scaler.mean_ if scaler is not None else pca.mean_).tolist(),
        "scale": scaler.scale_.tolist() if scaler is not None else None,
        "scores": scores.tolist(),
        "transform_new": pca.transform(new_in).tolist(),
    }
    return out


def main():
    if "--fetch" in sys.argv[1:] or not os.path.exists(SLICE):
        make_slice()
    train, new = read_slice()
    # A constant column (the value 3) appended for the standardized case.
    const = lambda m: np.hstack([m, np.full((m.shape[0], 1), 3.0)])
    cases = [
        case("full_k10", PCA(10, svd_solver="full"), train, new),
        case("full_standardized_constant_column_k10", PCA(10, svd_solver="full"),
             const(train), const(new), StandardScaler()),
        case("covariance_eigh_k4", PCA(4, svd_solver="covariance_eigh"), train[:, :6], new[:, :6]),
        case("randomized_wide_k5", PCA(5, svd_solver="randomized", random_state=0), train, new),
        case("randomized_tall_k3", PCA(3, svd_solver="randomized", random_state=0),
             train[:, :40], new[:, :40]),
    ]
    # Record the columns of the subsets used.
    cases[1]["columns"] = list(range(train.shape[1])) + ["constant_3"]
    cases[2]["columns"] = list(range(6))
    cases[4]["columns"] = list(range(40))
    # How close randomized is to exact on these inputs (the Rust test asks 1e-6).
    for c, width in ((cases[3], train.shape[1]), (cases[4], 40)):
        exact = PCA(c["n_components"], svd_solver="full").fit(train[:, :width])
        rel = np.max(np.abs(np.array(c["explained_variance"]) / exact.explained_variance_ - 1))
        print(f"{c['name']}: randomized vs full explained variance, max rel diff {rel:.2e}",
              file=sys.stderr)
    golden = {
        "generator": "make_golden.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "n_train": int(train.shape[0]),
        "n_new": int(new.shape[0]),
        "cases": cases,
    }
    with open(os.path.join(HERE, "pca_golden.json"), "w") as f:
        json.dump(golden, f)
        f.write("\n")


if __name__ == "__main__":
    main()
