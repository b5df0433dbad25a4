"""Deterministic file writers shared by the data preparation scripts.

Every processed file is written through these helpers so that running the
preparation twice gives byte-identical files: gzip headers carry mtime=0 and
no file name, line endings are "\n", and values are written as plain strings.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Iterable, Sequence


def open_text_out(path: Path):
    """Open `path` for writing text; gzip (mtime=0, no name) if it ends in .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = open(path, "wb")
    if path.suffix == ".gz":
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)
        return _Closing(io.TextIOWrapper(gz, encoding="utf-8", newline="\n"), gz, raw)
    return _Closing(io.TextIOWrapper(raw, encoding="utf-8", newline="\n"))


class _Closing:
    """Text writer that closes the whole stack (text -> gzip -> file) in order."""

    def __init__(self, text, *inner):
        self.text = text
        self.inner = inner

    def write(self, s: str) -> int:
        return self.text.write(s)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.text.flush()
        self.text.close()
        for f in self.inner:
            if not f.closed:
                f.close()
        return False


def write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a TSV (gzipped if `.gz`); None becomes an empty cell. Returns row count."""
    n = 0
    with open_text_out(path) as out:
        out.write("\t".join(header) + "\n")
        for row in rows:
            cells = ["" if v is None else str(v) for v in row]
            for c in cells:
                if "\t" in c or "\n" in c:
                    raise ValueError(f"{path}: cell {c!r} contains a tab or newline")
            if len(cells) != len(header):
                raise ValueError(f"{path}: row has {len(cells)} cells, header has {len(header)}")
            out.write("\t".join(cells) + "\n")
            n += 1
    return n


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Read a (possibly gzipped) TSV with a header into a list of dicts (strings)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="\n") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = []
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) != len(header):
                raise ValueError(f"{path}: a row has {len(cells)} cells, header has {len(header)}")
            rows.append(dict(zip(header, cells)))
    return rows
