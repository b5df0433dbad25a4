"""Golden values of the multinomial logistic regression (src/linalg/multinomial.rs),
computed independently with scikit-learn from the Kang PBMCs in data/sc/ (run
from the repository root with a virtualenv that has numpy, scipy, pandas and
scikit-learn: `python crates/synthbio-engine/tests/golden/make_multinomial_golden.py`).

The problem: every 25th labelled cell (cell_type_ontology_id not empty), the
40 genes of largest variance of log2(CP10k + 1) over those cells (ties to the
lower gene index), centred; each cell weighs 1 + (its index mod 3) / 2. The
fit: `LogisticRegression(C = 1 / 0.5)` (L2 on the slopes, intercepts free),
newton-cg to tol 1e-14 (lbfgs stops on its relative change of the loss
first, about 1e-4 away in the slopes here).

Writes multinomial.tsv: a header `class`, `weight`, then the genes' column
numbers; one `row` line per cell (class index, weight, centred levels); then
one `coef` line per class (class index, intercept, slopes).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[4]
OUT = Path(__file__).resolve().parent
LAMBDA = 0.5
STEP = 25
GENES = 40


def main() -> None:
    counts = scipy.io.mmread(ROOT / "data/sc/matrix.mtx.gz").tocsc().T.tocsr().astype(float)
    cells = pd.read_csv(ROOT / "data/sc/cells.tsv", sep="\t", dtype=str, keep_default_na=False)
    labels = cells["cell_type_ontology_id"].to_numpy()
    picked = np.flatnonzero(labels != "")[::STEP]
    lib = np.asarray(counts.sum(axis=1)).ravel()
    levels = np.log2(counts[picked].toarray() / lib[picked, None] * 1e4 + 1.0)
    var = levels.var(axis=0)
    genes = np.sort(np.lexsort((np.arange(len(var)), -var))[:GENES])
    x = levels[:, genes] - levels[:, genes].mean(axis=0)
    classes = sorted(set(labels[picked]))
    y = np.array([classes.index(v) for v in labels[picked]])
    w = 1.0 + (np.arange(len(picked)) % 3) / 2.0
    model = LogisticRegression(C=1.0 / LAMBDA, solver="newton-cg", tol=1e-14, max_iter=10_000)
    model.fit(x, y, sample_weight=w)
    with open(OUT / "multinomial.tsv", "w") as f:
        f.write("\t".join(["class", "weight"] + [str(g) for g in genes]) + "\n")
        for r in range(len(picked)):
            f.write("\t".join(["row", str(y[r]), repr(float(w[r]))] + [repr(float(v)) for v in x[r]]) + "\n")
        for k in range(len(classes)):
            values = [model.intercept_[k]] + list(model.coef_[k])
            f.write("\t".join(["coef", str(k)] + [repr(float(v)) for v in values]) + "\n")
    print(f"{len(picked)} cells x {GENES} genes, {len(classes)} classes, "
          f"{model.n_iter_[0]} iterations")


if __name__ == "__main__":
    main()
