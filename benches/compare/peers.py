"""The Python peers of `bench-op`: the same operation on the same files, timed
the same way (fastest of --repeat runs, input loading not timed), in a fresh
process whose peak memory (VmHWM) is reported with the input included.

    python peers.py <op> <dir> [--repeat N]

Result decoding uses pysynthbio's own transformers, called as pysynthbio calls
them (pysynthbio 4.2.4, call_model_api.py): the hosted path does
`transform_standard_model_output(get_json(url))`, where get_json is requests'
`response.json()` (the body as text, then the standard library's json.loads);
the self-hosted path does `transform_arrow_stream(response.raw)`. CPM, log CPM
and fold changes are written the way a careful numpy user would (no needless
temporaries: `out=` arguments, in-place updates). t-tests are scipy's, with
scipy's Benjamini-Hochberg; PCA is scikit-learn's.
"""

import json
import sys
import time

import numpy as np


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return None


def timed(repeat, run, check):
    """Times each of `repeat` runs alone; the check value comes from the last
    run's output, computed outside the timing. The output before is dropped
    before each run, so peak memory holds one output."""
    times, out = [], None
    for _ in range(max(repeat, 1)):
        out = None
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return times, check(out)


def expression_check(out):
    e = out["expression"]
    return {"samples": e.shape[0], "genes": e.shape[1], "sum_counts": int(e.to_numpy().sum())}


def probe_copy(repeat):
    n = (1 << 30) // 8
    src = np.arange(n, dtype=np.float64)
    dst = np.ones(n, dtype=np.float64)
    best = float("inf")
    for _ in range(max(repeat, 3)):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return [best], {"gb_per_s": 2 * n * 8 / best / 1e9, "bytes_moved": 2 * n * 8}


def probe_first_touch(d, repeat):
    with open(f"{d}/sizes.json") as f:
        sizes = json.load(f)
    n = sizes["samples"] * sizes["genes"]
    best = float("inf")
    for _ in range(max(repeat, 3)):
        t = time.perf_counter()
        fresh = np.empty(n, dtype=np.float64)
        fresh.fill(1.0)
        best = min(best, time.perf_counter() - t)
        del fresh
    return [best], {"gb_per_s": n * 8 / best / 1e9, "bytes_moved": n * 8}


def decode_json(path, repeat):
    from pysynthbio.output_transformers import transform_standard_model_output

    def run():
        with open(path, "rb") as f:
            content = json.loads(f.read().decode("utf-8"))
        return transform_standard_model_output(content)

    return timed(repeat, run, expression_check)


def decode_arrow(path, repeat):
    from pysynthbio.arrow_transformers import transform_arrow_stream

    def run():
        with open(path, "rb") as f:
            return transform_arrow_stream(f)

    return timed(repeat, run, expression_check)


def library_sizes(counts):
    return counts.sum(axis=1, dtype=np.float64)


def cpm(counts, dtype):
    scale = (1e6 / library_sizes(counts)).astype(dtype)
    return np.multiply(counts, scale[:, None], dtype=dtype)


def log_cpm(counts, dtype, prior_count=2.0):
    # edgeR cpm(log = TRUE): prior scaled by L / mean(L), L + 2 prior, log2.
    lib = library_sizes(counts)
    prior = prior_count * lib / lib.mean()
    shift = np.log2(1e6 / (lib + 2 * prior))
    out = np.add(counts, prior.astype(dtype)[:, None], dtype=dtype)
    np.log2(out, out=out)
    out += shift.astype(dtype)[:, None]
    return out


def cpm_into(counts, out):
    scale = (1e6 / library_sizes(counts)).astype(out.dtype)
    return np.multiply(counts, scale[:, None], out=out, dtype=out.dtype)


def log_cpm_into(counts, out, prior_count=2.0):
    lib = library_sizes(counts)
    prior = prior_count * lib / lib.mean()
    shift = np.log2(1e6 / (lib + 2 * prior))
    np.add(counts, prior.astype(out.dtype)[:, None], out=out, dtype=out.dtype)
    np.log2(out, out=out)
    out += shift.astype(out.dtype)[:, None]
    return out


def norm_into(d, f, dtype, repeat):
    """Into one output array every run reuses, written once before the timing."""
    counts = np.load(f"{d}/counts.npy")
    out = np.ones(counts.shape, dtype=dtype)
    return timed(repeat, lambda: f(counts, out), lambda o: float(o.sum(dtype=np.float64)))


def log2_cpm_plus_one(counts):
    out = cpm(counts, np.float64)
    out += 1.0
    np.log2(out, out=out)
    return out


def fold_change(d, repeat):
    counts = np.load(f"{d}/counts.npy")
    refs = np.load(f"{d}/references.npy")
    n, r = counts.shape[0], refs.shape[0]
    ref_of = np.arange(n) * r // n

    def run():
        out = log2_cpm_plus_one(counts)
        ref = log2_cpm_plus_one(refs)
        for k in range(r):
            rows = np.flatnonzero(ref_of == k)
            out[rows[0] : rows[-1] + 1] -= ref[k]
        return out

    return timed(repeat, run, lambda out: float(out.sum(dtype=np.float64)))


def t_tests(d, repeat, equal_var):
    from scipy import stats

    x = np.load(f"{d}/groups.npy")
    a, b = x[:10], x[10:20]

    def run():
        t, p = stats.ttest_ind(a, b, axis=0, equal_var=equal_var)
        ok = np.isfinite(p)
        adj = np.full_like(p, np.nan)
        adj[ok] = stats.false_discovery_control(p[ok])
        return t, adj

    def check(out):
        t, adj = out
        return {"sum_t": float(t[np.isfinite(t)].sum()), "significant_at_0.05": int((adj < 0.05).sum())}

    return timed(repeat, run, check)


def pca(d, solver, repeat):
    from sklearn.decomposition import PCA

    x = np.load(f"{d}/latents.npy")

    def run():
        model = PCA(n_components=50, svd_solver=solver, random_state=0)
        scores = model.fit_transform(x)
        return model, scores

    def check(out):
        model, _ = out
        return {
            "explained_variance": model.explained_variance_.tolist(),
            "explained_variance_ratio_sum": float(model.explained_variance_ratio_.sum()),
        }

    return timed(repeat, run, check)


def norm(d, f, repeat):
    counts = np.load(f"{d}/counts.npy")
    return timed(repeat, lambda: f(counts), lambda out: float(out.sum(dtype=np.float64)))


OPS = {
    "probe_copy": ("numpy copyto (1 thread)", lambda d, r: probe_copy(r)),
    "probe_first_touch": ("numpy empty + fill (1 thread)", lambda d, r: probe_first_touch(d, r)),
    "decode_json": ("pysynthbio transform_standard_model_output", lambda d, r: decode_json(f"{d}/result.json", r)),
    "decode_arrow": ("pysynthbio transform_arrow_stream", lambda d, r: decode_arrow(f"{d}/result.arrow", r)),
    "cpm_f64": ("numpy", lambda d, r: norm(d, lambda c: cpm(c, np.float64), r)),
    "cpm_f32": ("numpy", lambda d, r: norm(d, lambda c: cpm(c, np.float32), r)),
    "logcpm_f64": ("numpy", lambda d, r: norm(d, lambda c: log_cpm(c, np.float64), r)),
    "logcpm_f32": ("numpy", lambda d, r: norm(d, lambda c: log_cpm(c, np.float32), r)),
    "cpm_f64_into": ("numpy out=", lambda d, r: norm_into(d, cpm_into, np.float64, r)),
    "cpm_f32_into": ("numpy out=", lambda d, r: norm_into(d, cpm_into, np.float32, r)),
    "logcpm_f64_into": ("numpy out=", lambda d, r: norm_into(d, log_cpm_into, np.float64, r)),
    "logcpm_f32_into": ("numpy out=", lambda d, r: norm_into(d, log_cpm_into, np.float32, r)),
    "fold_change": ("numpy", fold_change),
    "welch": ("scipy ttest_ind(equal_var=False) + BH", lambda d, r: t_tests(d, r, False)),
    "moderated": ("scipy ttest_ind(equal_var=True) + BH (nearest, not moderated)", lambda d, r: t_tests(d, r, True)),
    "pca_full": ("scikit-learn PCA full", lambda d, r: pca(d, "full", r)),
    "pca_covariance_eigh": ("scikit-learn PCA covariance_eigh", lambda d, r: pca(d, "covariance_eigh", r)),
    "pca_randomized": ("scikit-learn PCA randomized", lambda d, r: pca(d, "randomized", r)),
}


def main(argv):
    if len(argv) < 2 or argv[0] not in OPS:
        sys.exit(f"usage: peers.py <op> <dir> [--repeat N]; ops: {' '.join(OPS)}")
    op, d = argv[0], argv[1]
    repeat = int(argv[3]) if len(argv) >= 4 and argv[2] == "--repeat" else 3
    name, f = OPS[op]
    times, check = f(d, repeat)
    print(json.dumps({
        "op": op,
        "impl": name,
        "seconds": min(times),
        "all_seconds": times,
        "peak_mb": peak_mb(),
        "check": check,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
