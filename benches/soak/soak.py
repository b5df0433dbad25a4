#!/usr/bin/env python3
"""Bounded soak of `synthbio serve` on loopback: many clients submit, poll and
download for a fixed time while the server's resident memory is sampled.

Standard library only (no venv). Prints one JSON summary line and writes the
per-second memory samples and the summary to --out (a folder).

  python3 benches/soak/soak.py --bin target/release/synthbio --seconds 120 \
      --clients 16 --samples 5 --big-every 20 --big-samples 2000 --out /tmp/soak
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

MODEL = "gem-1-bulk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid, field="VmRSS:"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def get(url):
    with urllib.request.urlopen(url, timeout=600) as r:
        return r.status, r.read()


def post(url, body):
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def one_job(base, query):
    """Submit, poll, download; the job's wall time, or an error string."""
    start = time.monotonic()
    code, body = post(f"{base}/api/models/{MODEL}/predict", query)
    if code != 200:
        return None, f"submit {code}"
    qid = json.loads(body)["modelQueryId"]
    while True:
        _, body = get(f"{base}/api/model-queries/{qid}/status")
        status = json.loads(body)
        if status["status"] != "running":
            break
        time.sleep(0.02)
    if status["status"] != "ready":
        return None, f"failed: {status.get('message')}"
    code, body = get(status["downloadUrl"])
    n = len(json.loads(body)["outputs"])
    if code != 200 or n != query["inputs"][0]["num_samples"]:
        return None, f"download {code} with {n} outputs"
    return time.monotonic() - start, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/synthbio")
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--big-every", type=int, default=20, help="every Nth job of a client is big (0: never)")
    p.add_argument("--big-samples", type=int, default=2000)
    p.add_argument("--max-memory", default="2GiB")
    p.add_argument("--out", default="benches/soak/results")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    state = tempfile.mkdtemp(prefix="synthbio-soak-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [a.bin, "serve", "--bind", f"127.0.0.1:{port}", "--state-dir", state,
         "--max-memory", a.max_memory],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.out, "server.log"), "w"),
    )
    try:
        while True:
            try:
                _, body = get(f"{base}/api/models/{MODEL}/example-query")
                example = json.loads(body)["example_query"]
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server exited at start; see server.log")
                time.sleep(0.1)
        idle = rss(server.pid)
        stop_at = time.monotonic() + a.seconds
        times, errors, memory = [], [], []
        lock = threading.Lock()

        def client(k):
            i = 0
            while time.monotonic() < stop_at:
                i += 1
                q = json.loads(json.dumps(example))
                q["sampling_strategy"] = "sample generation"
                big = a.big_every and i % a.big_every == 0
                q["inputs"][0]["num_samples"] = a.big_samples if big else a.samples
                q["seed"] = k * 1_000_000 + i
                try:
                    t, err = one_job(base, q)
                except (OSError, ValueError, KeyError) as e:
                    t, err = None, repr(e)
                with lock:
                    (times.append(t) if err is None else errors.append(err))

        def sampler():
            t0 = time.monotonic()
            while server.poll() is None and time.monotonic() < stop_at + 600:
                memory.append((round(time.monotonic() - t0, 1), rss(server.pid)))
                time.sleep(1)
                if done.is_set():
                    return

        done = threading.Event()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
        mem = threading.Thread(target=sampler)
        t0 = time.monotonic()
        mem.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        done.set()
        mem.join()
        times.sort()
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [0] * 99
        summary = {
            "clients": a.clients, "seconds": round(elapsed, 1), "jobs": len(times),
            "errors": len(errors), "first_errors": errors[:5],
            "jobs_per_s": round(len(times) / elapsed, 1),
            "p50_ms": round(q[49] * 1000), "p99_ms": round(q[98] * 1000),
            "rss_idle_mib": idle >> 20,
            "rss_max_mib": max(m for _, m in memory) >> 20,
            "vmhwm_mib": rss(server.pid, "VmHWM:") >> 20,
            "rss_end_mib": rss(server.pid) >> 20,
            "max_memory": a.max_memory,
        }
        with open(os.path.join(a.out, "memory.tsv"), "w") as f:
            f.write("seconds\trss_mib\n")
            for s, m in memory:
                f.write(f"{s}\t{m >> 20}\n")
        with open(os.path.join(a.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
        print(json.dumps(summary))
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
