"""AnnData round trip between the Python reference (`anndata`) and synthbio-io.

Two modes:

  python anndata_roundtrip.py fixtures [DIR]
      writes small .h5ad files with anndata (dense int/float X, CSR, CSC, layers["counts"],
      raw.X, categorical/string/numeric/bool/nullable obs columns, symbols as the var index)
      and golden.json (what each file holds, as anndata reads it) into DIR (default: this
      folder). The Rust tests (tests/io/h5ad.rs) read them and compare with golden.json.
      Also writes the command-line fixtures (crates/synthbio-cli/tests/cli/h5ad_input.rs):
      geuvadis_slice.h5ad (the 12-sample GEUVADIS slice of synthbio-qc's tests, its 2,000
      most counted genes and the Y markers: dense int32 counts, gzip-compressed; the
      claimed sex, four labels swapped, in obs) and row_numbers.h5ad (no var_names set: anndata's 0, 1,
      2... index; a var["probe"] column of made-up ids).

  python anndata_roundtrip.py check DIR
      reads every .h5ad file synthbio-io (or the synthbio command) wrote into DIR with anndata.read_h5ad and checks it
      against the .expected.json the Rust test wrote beside it (counts, ids, obs columns,
      obsm latents, layers), exactly for integers, booleans and strings, to 1e-12 for floats; then opens each
      with scanpy.read_h5ad and runs calculate_qc_metrics (total counts per cell must be
      the written rows' sums) and normalize_total + log1p on the counts files.

  python anndata_roundtrip.py venv
      only makes the venv (target/anndata-venv) from PyPI (to fetch it ahead of a run).

  python anndata_roundtrip.py ci
      after `cargo test -p synthbio-io` and `cargo test -p synthbio-cli` (whose h5ad tests
      write the files into target/tmp/h5ad-roundtrip): makes its own venv (target/anndata-venv) from PyPI when
      missing and checks them. .ci/run runs this.

The counts are the first 10 genes of the airway slice in ../data (Bioconductor `airway`,
see ../data/SOURCE.md) and, for geuvadis_slice.h5ad, the GEUVADIS slice in
crates/synthbio-qc/tests/data (see its SOURCE.md); symbols from
data/annotation/ensembl_symbol_chrom.tsv.gz.
"""
import json
import math
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
PACKAGES = ["anndata==0.12.*", "scanpy", "scipy", "numpy", "h5py", "pandas"]


def venv_python():
    """The venv's python, made and filled from PyPI when missing."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    venv = target / "anndata-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import anndata, scanpy, scipy, h5py"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-compile", *PACKAGES], check=True)
    return python, target


def airway():
    import pandas as pd

    counts = pd.read_csv(HERE.parent / "data" / "airway_50genes.tsv.gz", sep="\t", index_col=0)
    counts = counts.iloc[:10]
    samples = pd.read_csv(HERE.parent / "data" / "airway_samples.tsv.gz", sep="\t", index_col=0, dtype=str)
    return counts.T, samples.loc[counts.columns], symbol_table().loc[counts.index].tolist()


# geuvadis_slice.h5ad keeps this many of the slice's genes (the most counted), so that
# the fixture stays small (var names are stored uncompressed) while library sizes stay close.
TOP_GENES = 2000
# RPS4Y1, DDX3Y, KDM5D, UTY, EIF1AY, USP9Y, ZFY, NLGN4Y, TXLNGY.
Y_MARKERS = [
    "ENSG00000129824", "ENSG00000067048", "ENSG00000012817", "ENSG00000183878", "ENSG00000198692",
    "ENSG00000114374", "ENSG00000067646", "ENSG00000165246", "ENSG00000131002",
]


def symbol_table():
    import pandas as pd

    symbols = pd.read_csv(REPO / "data" / "annotation" / "ensembl_symbol_chrom.tsv.gz", sep="\t", dtype=str)
    return symbols.drop_duplicates("ensembl_id").set_index("ensembl_id")["symbol"]


def write_cli_fixtures(out: Path):
    import anndata as ad
    import numpy as np
    import pandas as pd

    qc_data = REPO / "crates" / "synthbio-qc" / "tests" / "data"
    counts = pd.read_csv(qc_data / "geuvadis_slice_counts.tsv.gz", sep="\t", index_col=0)
    claimed = pd.read_csv(qc_data / "geuvadis_slice_claimed.tsv", sep="\t", index_col=0, dtype=str)
    # The most counted genes and the Y markers of synthbio-qc (src/markers.rs), in table order.
    top = set(counts.sum(axis=1).nlargest(TOP_GENES).index) | (set(Y_MARKERS) & set(counts.index))
    kept = counts.loc[[g for g in counts.index if g in top]]
    share = kept.sum().sum() / counts.sum().sum()
    counts = kept
    obs = pd.DataFrame({"sex": pd.Categorical(claimed.loc[counts.columns, "sex"].tolist())}, index=pd.Index(counts.columns.tolist()))
    var = pd.DataFrame(index=pd.Index(counts.index.tolist(), name="gene_id"))
    adata = ad.AnnData(X=counts.values.T.astype(np.int32), obs=obs, var=var)
    adata.write_h5ad(out / "geuvadis_slice.h5ad", compression="gzip")

    airway_counts, _, _ = airway()
    x = airway_counts.values.astype(np.int64)
    numbered = ad.AnnData(X=x, var=pd.DataFrame({"probe": [f"probe_{j + 1}" for j in range(x.shape[1])]}))
    numbered.obs_names = airway_counts.index.tolist()
    numbered.write_h5ad(out / "row_numbers.h5ad")
    print(f"wrote geuvadis_slice.h5ad ({adata.n_obs} x {adata.n_vars}, {share:.1%} of the counts) and row_numbers.h5ad to {out}")


def write_fixtures(out: Path):
    import anndata as ad
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    out.mkdir(parents=True, exist_ok=True)
    counts, samples, symbols = airway()  # samples x genes
    x = counts.values.astype(np.int64)
    genes = counts.columns.tolist()
    cells = counts.index.tolist()
    obs = pd.DataFrame(index=pd.Index(cells, name="run"))
    obs["dex"] = pd.Categorical(samples["dex"].tolist())
    cell_line = samples["cell"].tolist()
    cell_line[2] = None
    obs["cell"] = pd.Categorical(cell_line)  # a missing value: code -1
    obs["experiment"] = samples["Experiment"].astype(object).tolist()  # unique: string-array
    obs["avg_length"] = samples["avgLength"].astype(float).tolist()
    obs.loc[obs.index[1], "avg_length"] = np.nan
    obs["lane"] = np.arange(1, len(cells) + 1, dtype=np.int32)
    obs["treated"] = (samples["dex"] == "trt").tolist()
    obs["batch"] = pd.array([1, 2, None, 1, 2, 1, 2, 1], dtype="Int64")
    var = pd.DataFrame(index=pd.Index(genes, name="gene_id"))
    log_norm = np.log1p(x / x.sum(axis=1, keepdims=True) * 1e4)

    def obs_golden(frame):
        cols = {}
        for name in frame.columns:
            col = frame[name]
            kind = "number" if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col) else "text"
            if pd.api.types.is_bool_dtype(col):
                values = ["true" if v else "false" for v in col]
            elif kind == "number":
                values = [None if pd.isna(v) else float(v) for v in col]
            else:
                values = [None if pd.isna(v) else str(v) for v in col]
            cols[name] = {"kind": kind, "values": values}
        return cols

    golden = {}

    def save(name, adata, counts_from, gene_ids, counts_matrix):
        path = out / f"{name}.h5ad"
        adata.write_h5ad(path)
        back = ad.read_h5ad(path)  # what the reference reader sees
        golden[name] = {
            "counts_from": counts_from,
            "gene_ids": gene_ids,
            "sample_ids": back.obs_names.tolist(),
            "counts": np.asarray(counts_matrix).astype(np.int64).tolist(),
            "obs": obs_golden(back.obs),
        }

    save("dense_int", ad.AnnData(X=x, obs=obs, var=var), "X", genes, x)
    save("dense_float32", ad.AnnData(X=x.astype(np.float32), obs=obs[["dex"]], var=var), "X", genes, x)
    sym_var = pd.DataFrame({"gene_ids": genes}, index=pd.Index(symbols))
    save("csr_symbols", ad.AnnData(X=sp.csr_matrix(x.astype(np.float32)), obs=obs[["dex"]], var=sym_var), "X", genes, x)
    save("csc_int32", ad.AnnData(X=sp.csc_matrix(x.astype(np.int32)), obs=obs[["cell"]], var=var), "X", genes, x)
    layered = ad.AnnData(X=log_norm, obs=obs[["dex"]], var=var, layers={"counts": sp.csr_matrix(x)})
    save("layers_counts", layered, "layers/counts", genes, x)
    # raw.X holds every gene's counts; X keeps 6 genes, normalized (as after HVG selection).
    full = ad.AnnData(X=sp.csr_matrix(x.astype(np.float32)), obs=obs[["dex"]], var=var)
    full.raw = full
    subset = full[:, genes[:6]].copy()
    subset.X = sp.csr_matrix(log_norm[:, :6])
    save("raw_counts", subset, "raw/X", genes, x)
    save("normalized_only", ad.AnnData(X=log_norm, obs=obs[["dex"]], var=var), "none", genes, x)
    # A damaged file: no var table (h5py removes it; anndata itself cannot write this).
    import h5py

    broken = out / "no_var.h5ad"
    broken.write_bytes((out / "dense_float32.h5ad").read_bytes())
    with h5py.File(broken, "r+") as h5:
        del h5["var"]
    with open(out / "golden.json", "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {len(golden)} .h5ad fixtures and golden.json to {out}")


def close(a, b):
    return (a is None and b is None) or (
        a is not None and b is not None and (a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12))
    )


def dense(matrix):
    import numpy as np
    import scipy.sparse as sp

    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def check(folder: Path):
    import anndata as ad
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    files = sorted(folder.glob("*.h5ad"))
    if not files:
        sys.exit(f"no .h5ad files in {folder}: run `cargo test -p synthbio-io` first")
    failures = []
    for path in files:
        expected = json.loads(path.with_suffix(".expected.json").read_text())
        adata = ad.read_h5ad(path)
        fail = lambda what: failures.append(f"{path.name}: {what}")  # noqa: E731
        if adata.obs_names.tolist() != expected["sample_ids"]:
            fail(f"obs_names {adata.obs_names.tolist()} != {expected['sample_ids']}")
        if adata.var_names.tolist() != expected["gene_ids"]:
            fail(f"var_names {adata.var_names.tolist()} != {expected['gene_ids']}")
        x = dense(adata.X)
        if expected["x_kind"] == "counts":
            if not np.issubdtype(x.dtype, np.integer) or x.tolist() != expected["x"]:
                fail(f"X ({x.dtype}) differs from the counts written")
        elif not np.allclose(x, np.array(expected["x"], dtype=float), rtol=1e-12, atol=0):
            fail("X differs from the values written")
        if expected.get("x_sparse") is not None and sp.issparse(adata.X) != expected["x_sparse"]:
            fail(f"X sparse is {sp.issparse(adata.X)}, expected {expected['x_sparse']}")
        for name, values in expected["obs_text"].items():
            if name not in adata.obs:
                fail(f"obs column {name} missing")
                continue
            got = [None if pd.isna(v) else str(v) for v in adata.obs[name]]
            if got != values:
                fail(f"obs[{name}] {got} != {values}")
        for name, values in expected["obs_number"].items():
            if name not in adata.obs or not pd.api.types.is_float_dtype(adata.obs[name]):
                fail(f"obs column {name} missing or not float")
                continue
            got = [None if pd.isna(v) else float(v) for v in adata.obs[name]]
            if not all(close(a, b) for a, b in zip(got, values)) or len(got) != len(values):
                fail(f"obs[{name}] {got} != {values}")
        for name, rows in expected["obsm"].items():
            if name not in adata.obsm:
                fail(f"obsm[{name}] missing")
            elif not np.allclose(np.asarray(adata.obsm[name]), np.array(rows, dtype=float), rtol=1e-12, atol=0):
                fail(f"obsm[{name}] differs")
        for name, rows in expected.get("layers", {}).items():
            if name not in adata.layers:
                fail(f"layers[{name}] missing")
            elif dense(adata.layers[name]).tolist() != rows:
                fail(f"layers[{name}] differs")
        if set(adata.layers) != set(expected.get("layers", {})):
            fail(f"layers {sorted(adata.layers)} != {sorted(expected.get('layers', {}))}")
        extra = set(adata.obs.columns) - set(expected["obs_text"]) - set(expected["obs_number"])
        if extra:
            fail(f"unexpected obs columns {sorted(extra)}")
        if expected["x_kind"] == "counts":
            import scanpy as sc

            scanned = sc.read_h5ad(path)
            sc.pp.calculate_qc_metrics(scanned, percent_top=None, inplace=True)
            sums = [float(sum(row)) for row in expected["x"]]
            if not np.allclose(scanned.obs["total_counts"].to_numpy(), sums, rtol=1e-12, atol=0):
                fail(f"scanpy total_counts {scanned.obs['total_counts'].tolist()} != {sums}")
            sc.pp.normalize_total(scanned, target_sum=1e4)
            sc.pp.log1p(scanned)
        print(f"{path.name}: {adata.n_obs} x {adata.n_vars} read by anndata {version('anndata')}, as written")
    if failures:
        sys.exit("anndata disagrees with synthbio-io:\n" + "\n".join(failures))
    print(f"all {len(files)} files written by synthbio-io read back unchanged by anndata")


def ci():
    python, target = venv_python()
    out = target / "tmp" / "h5ad-roundtrip"
    subprocess.run([str(python), __file__, "check", str(out)], check=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "fixtures":
        folder = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE
        write_fixtures(folder)
        write_cli_fixtures(folder)
    elif mode == "check" and len(sys.argv) == 3:
        check(Path(sys.argv[2]))
    elif mode == "venv":
        venv_python()
    elif mode == "ci":
        ci()
    else:
        sys.exit(__doc__)
