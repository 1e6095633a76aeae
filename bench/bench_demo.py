"""The first start's building of the demo city, against issue 15's target: ≤ 10 s on this machine.

    .venv/bin/python bench/bench_demo.py [--a REV] [--pairs 5] [--today YYYY-MM-DD]

What ``python3 dev.py app`` does on its first start (``app.py``'s ``_first_start``) and
``indicators init --demo`` does: import the demo loader, create the database file,
``load_demo`` — each build in a fresh child process that has already imported what the app
holds before its first start (pandas, DuckDB, the settings, the connection module), timed
by the child itself: wall seconds and CPU seconds (the child's, all its threads). With
``--a REV`` every round builds with REV (A, before) and then with the work tree (B), and
the ratio B/A of each round is printed, with its median and min–max; both must print the
same one-line summary (the same demo). ``--today`` pins the clock (``INDICATORS_TODAY``);
without it the demo is built up to today's latest due month, as a newcomer's is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET = 10.0  # seconds of building (issue 15)

CHILD = """
import json, sys, time
import duckdb, numpy, pandas  # the app has these before its first start
from indicators.settings import load
from indicators.db import connection
settings = load()
wall, cpu = time.perf_counter(), time.process_time()
from indicators.demo.load import load_demo
with connection.connect(sys.argv[1], create=True, wait=settings.lock_wait) as con:
    summary = load_demo(con, settings)
print("RESULT " + json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                              "summary": summary}))
"""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def export(rev: str, into: Path) -> Path:
    """``src/`` of ``rev`` under ``into``."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(tree: Path, db: Path, today: str | None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("INDICATORS_DB", None)
    if today:
        env["INDICATORS_TODAY"] = today
    out = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, env=env, cwd=tree,
                         timeout=900)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(out.stderr[-3000:])
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    return json.loads(line.removeprefix("RESULT "))


def spread(xs: list[float], unit: str = " s") -> str:
    return f"{statistics.median(xs):.2f}{unit} [{min(xs):.2f}–{max(xs):.2f}]"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", default=None, help="also build with this revision (A, before), in turn with the work tree")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--today", default=None, help="pin the clock (INDICATORS_TODAY)")
    args = ap.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    print(f"demo build · B = work tree ({head})" + (f" · A = {args.a}" if args.a else "")
          + f" · today {args.today or 'the clock'} · {os.cpu_count()} cores · load average at start {load_average()}")
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        before = export(args.a, Path(tmp) / "a") if args.a else None
        for n in range(args.pairs):
            r = {}
            if before is not None:
                r["a"] = build(before, Path(tmp) / "a.duckdb", args.today)
            r["b"] = build(ROOT, Path(tmp) / "b.duckdb", args.today)
            rounds.append(r)
            line = f"round {n + 1}:"
            if before is not None:
                line += f" A {r['a']['wall']:.2f} s wall, {r['a']['cpu']:.2f} s CPU ·"
            line += f" B {r['b']['wall']:.2f} s wall, {r['b']['cpu']:.2f} s CPU"
            if before is not None:
                line += f" · B/A wall {r['b']['wall'] / r['a']['wall']:.2f}× CPU {r['b']['cpu'] / r['a']['cpu']:.2f}×"
            print(line + f" · load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"load average at the end {load_average()}")
    print(f"demo: {rounds[0]['b']['summary']}")
    if before is not None:
        same = all(r["a"]["summary"] == r["b"]["summary"] for r in rounds)
        print(f"A and B print the same summary: {'yes' if same else 'NO'}")
        print(f"A (before) median build: wall {spread([r['a']['wall'] for r in rounds])}, "
              f"CPU {spread([r['a']['cpu'] for r in rounds])}")
    walls = [r["b"]["wall"] for r in rounds]
    print(f"B median build: wall {spread(walls)}, CPU {spread([r['b']['cpu'] for r in rounds])}")
    if before is not None:
        print(f"B/A per round: wall {spread([r['b']['wall'] / r['a']['wall'] for r in rounds], '×')}, "
              f"CPU {spread([r['b']['cpu'] / r['a']['cpu'] for r in rounds], '×')}")
    worst = max(walls)
    print(f"target ≤ {TARGET:.0f} s of building: median {statistics.median(walls):.2f} s, slowest {worst:.2f} s — "
          + ("met" if statistics.median(walls) <= TARGET else "NOT met")
          + ("" if worst <= TARGET else f" (the slowest round is over: load {load_average()})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
