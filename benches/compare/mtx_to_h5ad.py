"""Writes a 10x folder's counts as an .h5ad file (CSR float32 X, as scanpy keeps
raw counts), for stream.sh's measurement of `--stream` on AnnData.

    mtx_to_h5ad.py <10x folder with matrix.mtx, features.tsv, barcodes.tsv> <out.h5ad>
"""

import sys

import anndata
import numpy as np
import pandas as pd
import scipy.io


def main():
    folder, out = sys.argv[1], sys.argv[2]
    x = scipy.io.mmread(f"{folder}/matrix.mtx").T.tocsr().astype(np.float32)
    genes = pd.read_csv(f"{folder}/features.tsv", sep="\t", header=None)[0].to_numpy()
    cells = pd.read_csv(f"{folder}/barcodes.tsv", sep="\t", header=None)[0].to_numpy()
    adata = anndata.AnnData(X=x, obs=pd.DataFrame(index=cells), var=pd.DataFrame(index=genes))
    adata.write_h5ad(out)


if __name__ == "__main__":
    main()
