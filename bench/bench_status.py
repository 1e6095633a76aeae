"""``indicators status --json`` as a whole process against the in-process dispatch table.

    .venv/bin/python bench/bench_status.py [--a REV] [--pairs 5]

For the big database of ``bench_dispatch`` (60,000 rows for 2030-10) and the demo city,
each round times, in turn: ``dispatch_table`` in this (warm) process on an open
connection — what a page pays; ``indicators status --json`` of the work tree as a child
process, output to /dev/null (start-up, imports, opening the file, the dispatch table,
the explanations, the JSON); the same command of revision ``--a`` (before, optional,
``bench_page_runs.export``); a child that only imports what the command imports; and a
child that imports only numpy, pandas and duckdb (the floor start-up puts under any
command of ours). Prints every round, the median ratio of the
command to the in-process dispatch with its min–max, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_pack import databases, load_average  # noqa: E402
from bench_page_runs import OUT, ROOT, export  # noqa: E402

from indicators.db import connection  # noqa: E402
from indicators.dispatch import dispatch_table  # noqa: E402
from indicators.settings import Settings  # noqa: E402

IMPORTS = "import indicators.cli, indicators.cli.status, indicators.dispatch, indicators.explanations"
BARE = "import numpy, pandas, duckdb"  # the floor under any process of ours: python and its three libraries


def run(tree: Path, argv: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "INDICATORS_TODAY": "2026-12-01"}
    t = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run([sys.executable, *argv], stdout=sink, check=True, env=env, cwd=tree)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", default=None, help="also time this revision's command (before)")
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    print(f"load average at start {load_average()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        before = export(args.a, Path(tmp) / "a") if args.a else None
        for label, db, period in databases():
            command = ["-m", "indicators", "status", "--json", "--period", period, "--db", str(db)]
            con = connection.connect(db, read_only=True)
            dispatch_table(con, period, Settings())  # warm, as a page's process is
            runs = []
            for n in range(args.pairs):
                t = time.perf_counter()
                dispatch_table(con, period, Settings())
                r = {"dispatch": time.perf_counter() - t, "command": run(ROOT, command),
                     "imports": run(ROOT, ["-c", IMPORTS]), "bare": run(ROOT, ["-c", BARE])}
                if before is not None:
                    r["before"] = run(before, command)
                runs.append(r)
                print(f"{label} round {n + 1}: in-process dispatch {r['dispatch']:.2f} s · status --json "
                      f"{r['command']:.2f} s ({r['command'] / r['dispatch']:.2f}×)"
                      + (f" · before ({args.a}) {r['before']:.2f} s" if before is not None else "")
                      + f" · imports only {r['imports']:.2f} s · python+numpy+pandas+duckdb {r['bare']:.2f} s"
                      + f" · load {os.getloadavg()[0]:.2f}", flush=True)
            con.close()
            rows.append((label, runs))
    print(f"\nload average at the end {load_average()}")
    print("| database | in-process dispatch | status --json | ratio median [min–max] |"
          + (f" before ({args.a}) | ratio before |" if args.a else "") + " imports only | python+numpy+pandas+duckdb |"
          " floor / in-process dispatch |")
    print("|---|---|---|---|" + ("---|---|" if args.a else "") + "---|---|---|")
    for label, runs in rows:
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        ratio = [r["command"] / r["dispatch"] for r in runs]
        line = (f"| {label} | {med['dispatch']:.2f} s | {med['command']:.2f} s | "
                f"{statistics.median(ratio):.2f}× [{min(ratio):.2f}–{max(ratio):.2f}] |")
        if args.a:
            rb = [r["before"] / r["dispatch"] for r in runs]
            line += f" {med['before']:.2f} s | {statistics.median(rb):.2f}× [{min(rb):.2f}–{max(rb):.2f}] |"
        floor = [r["bare"] / r["dispatch"] for r in runs]
        print(line + f" {med['imports']:.2f} s | {med['bare']:.2f} s | {statistics.median(floor):.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
