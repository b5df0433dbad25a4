"""Golden values for synthbio-engine, computed independently with numpy/pandas
from the processed data in data/bulk/ (run from the repository root:
`.venv/bin/python crates/synthbio-engine/tests/golden/make_golden.py`).

Writes:
- library_sizes.tsv: per bulk sample, the measured total and the effective
  library size (measured total divided by the median, over samples of the
  other datasets that measured more genes, of the share of their reads in
  the genes this sample's dataset measured);
- dex_raw_effects.tsv: for named genes, the mean over the four airway donors
  of the paired difference log2(CPM + 1) treated - control, and the variance
  of that mean (sample variance of the four differences / 4).
"""

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[4]
OUT = Path(__file__).resolve().parent
GENES = [
    "ENSG00000096060",  # FKBP5
    "ENSG00000157514",  # TSC22D3
    "ENSG00000109906",  # ZBTB16
    "ENSG00000179094",  # PER1
    "ENSG00000000003",  # TSPAN6
    "ENSG00000165995",  # CACNB2
    "ENSG00000120129",  # DUSP1
    "ENSG00000101347",  # SAMHD1
]


def main() -> None:
    counts = pd.read_csv(ROOT / "data/bulk/counts.tsv.gz", sep="\t", index_col=0)
    samples = pd.read_csv(ROOT / "data/bulk/samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    measured = counts.notna()
    totals = counts.sum(axis=0, skipna=True)
    # distinct measured-gene masks
    mask_of = {s: tuple(measured[s].to_numpy()) for s in counts.columns}
    lib = {}
    for s in counts.columns:
        mask = np.array(mask_of[s])
        if mask.all():
            lib[s] = totals[s]
            continue
        shares = []
        for o in counts.columns:
            other = np.array(mask_of[o])
            if mask_of[o] == mask_of[s] or other.sum() <= mask.sum():
                continue
            shares.append(counts[o].to_numpy()[mask & other].sum() / totals[o])
        lib[s] = totals[s] / np.median(shares) if shares else totals[s]
    pd.DataFrame(
        {"sample_id": counts.columns, "measured_total": [int(totals[s]) for s in counts.columns],
         "library_size": [repr(float(lib[s])) for s in counts.columns]}
    ).to_csv(OUT / "library_sizes.tsv", sep="\t", index=False)

    air = samples[samples.dataset == "airway"]
    diffs = []
    for donor, rows in air.groupby("donor"):
        t = rows[rows.perturbation_type == "compound"].sample_id.tolist()
        c = rows[rows.perturbation_type == "control"].sample_id.tolist()
        logcpm = lambda ids: np.log2(counts.loc[GENES, ids].to_numpy() / np.array([lib[i] for i in ids]) * 1e6 + 1).mean(axis=1)
        diffs.append(logcpm(t) - logcpm(c))
    d = np.array(diffs)
    pd.DataFrame(
        {"gene_id": GENES, "raw_effect": [repr(float(x)) for x in d.mean(axis=0)],
         "variance": [repr(float(x)) for x in d.var(axis=0, ddof=1) / d.shape[0]]}
    ).to_csv(OUT / "dex_raw_effects.tsv", sep="\t", index=False)


if __name__ == "__main__":
    main()
