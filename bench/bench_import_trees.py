"""Our import (bench_import.py's A, the ``indicators import`` path) of two source trees, side by side.

One worker process per tree, each importing that tree's own ``bench/bench_import.py`` and timing its
A (``timed_ours(ours_cli, FILE)``) on request; the two are asked alternately, pair by pair, and the
CPU time of each worker (process_time: every thread, the fresh db's setup included) is printed
beside the wall time — on a loaded machine the CPU ratio is the steadier one. The bench files of
the second tree's ``bench/out`` are used by both.

    .venv/bin/python bench/bench_import_trees.py /work/main . [--pairs 7]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("before")
ap.add_argument("after")
ap.add_argument("--pairs", type=int, default=7)
args = ap.parse_args()


def label(tree: str) -> str:
    head = subprocess.run(["git", "-C", tree, "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
    return f"{Path(tree).resolve().name}@{head}"


TREES = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
WORKER = r'''
import sys, json
sys.path.insert(0, sys.argv[1] + "/bench")
import bench_import as b
from pathlib import Path
out = Path(sys.argv[2])
b.XLSX, b.XLS, b.CSV = out / b.XLSX.name, out / b.XLS.name, out / b.CSV.name
b.ROWS = {b.XLSX: 100_000, b.XLS: 60_000, b.CSV: 100_000}
paths = {"xlsx": b.XLSX, "xls": b.XLS, "csv": b.CSV}
for line in sys.stdin:
    kind = line.strip()
    import time
    c0 = time.process_time()
    w = b.timed_ours(b.ours_cli, paths[kind])
    print(json.dumps([w, time.process_time() - c0]), flush=True)
'''
env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
OUT = str(Path(TREES["after"]) / "bench" / "out")
procs = {k: subprocess.Popen([sys.executable, "-c", WORKER, t, OUT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=env) for k, t in TREES.items()}
def ask(k, kind):
    procs[k].stdin.write(kind + "\n"); procs[k].stdin.flush()
    return json.loads(procs[k].stdout.readline())
pairs = args.pairs
print(f"A of bench_import.py (the `indicators import` path): before = {label(TREES['before'])}, "
      f"after = {label(TREES['after'])}, one worker process per tree, interleaved")
print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
for kind in ("xlsx", "xls", "csv"):
    ask("before", kind), ask("after", kind)  # warm
    r, rc = [], []
    for i in range(pairs):
        (m, mc), (n, nc) = ask("before", kind), ask("after", kind)
        r.append(n / m); rc.append(nc / mc)
        print(f"  {kind} pair {i+1}: wall before {m*1000:6.0f} ms  after {n*1000:6.0f} ms  after/before {n/m:.2f}×   "
              f"CPU before {mc*1000:6.0f} ms  after {nc*1000:6.0f} ms  after/before {nc/mc:.2f}×", flush=True)
    print(f"{kind}: after/before wall = {statistics.median(r):.2f}× [{min(r):.2f}–{max(r):.2f}]   "
          f"CPU = {statistics.median(rc):.2f}× [{min(rc):.2f}–{max(rc):.2f}]  (CPU of the process: setup of the fresh db included)")
print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
for p in procs.values():
    p.stdin.close(); p.wait()
