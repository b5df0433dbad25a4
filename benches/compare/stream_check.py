"""Checks `synthbio pca --stream` against scikit-learn on the same matrix.

    stream_check.py <matrix.mtx[.gz]> <scores.parquet>

Reads the Matrix Market counts (genes x cells, as Cell Ranger writes them)
with scipy, applies scanpy's normalize_total (the median of the totals) and
log1p, fits scikit-learn's exact sparse PCA (ARPACK, implicitly centred) with
as many components as the scores file holds, and prints the largest relative
difference of the explained variance ratios (all components and the first
ten) and of the first ten components' scores (signs aligned), relative to
their spread. Run by stream.sh on the Kang data in data/sc.
"""

import json
import sys

import numpy as np
import pyarrow.parquet as pq
import scipy.io
import scipy.sparse as sp
from sklearn.decomposition import PCA


def main():
    mtx, scores_path = sys.argv[1], sys.argv[2]
    x = scipy.io.mmread(mtx).T.tocsr().astype(np.float64)
    totals = np.asarray(x.sum(axis=1)).ravel()
    x = sp.diags(np.median(totals) / totals) @ x
    x.data = np.log1p(x.data)
    table = pq.read_table(scores_path)
    ours = np.array(json.loads(table.schema.metadata[b"synthbio.explained_variance_ratio"]))
    k = len(ours)
    pca = PCA(n_components=k, svd_solver="arpack", random_state=0).fit(x)
    theirs = pca.explained_variance_ratio_
    rel = np.abs(ours - theirs) / theirs
    scores = pca.transform(x)[:, :10]
    ours_scores = np.column_stack([table.column(f"PC{c + 1}").to_numpy() for c in range(min(k, 10))])
    signs = np.sign((ours_scores * scores).sum(axis=0))
    spread = np.abs(scores).max()
    print(
        f"{x.shape[0]} cells x {x.shape[1]} genes, {k} components: explained variance ratio "
        f"max rel. diff {rel.max():.2e} (first 10: {rel[:10].max():.2e}); "
        f"scores of PC1-10 max diff / spread {np.abs(ours_scores - scores * signs).max() / spread:.2e}"
    )


if __name__ == "__main__":
    main()
