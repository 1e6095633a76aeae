"""The briefing pack on the big database: PPTX and XLSX build time, old code against new,
interleaved.

    .venv/bin/python bench/bench_pack.py --a REV [--b REV] [--pairs 5]

``--a`` / ``--b`` are git revisions (``--b`` defaults to the work tree); each side's
``src/`` runs in a child process of its own (``bench_page_runs.export``) that computes
the month's ``Summary`` once — the dispatch table is timed by ``bench_dispatch`` — and
then renders on request, so the two sides take turns A B A B … and meet the same machine
load. Databases: the 7.2 M-observation file of ``bench_dispatch`` (300 indicators, a city,
19 districts, 180 towns; 2030-10) and the demo city. Prints every render (wall and CPU
seconds, slides), the median B / A ratio with its min–max, the load average, and B against
issue 15's targets on the big db: at most ~30 slides, PPTX ≤ 3 s and XLSX ≤ 2 s (median
wall; the CPU median beside it says how much of the wall was the machine's load).
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
sys.path.insert(0, str(HERE))
from bench_page_runs import OUT, export  # noqa: E402

CHILD = r"""
import io, json, sys, time
from datetime import date
from indicators import report
from indicators.db import connection
from indicators.settings import Settings
con = connection.connect(sys.argv[1], read_only=True)
summary = report.build_summary(con, sys.argv[2], settings=Settings())
con.close()
print("READY", flush=True)
for line in sys.stdin:
    fmt = line.strip()
    t, c = time.perf_counter(), time.process_time()
    data = report.render(summary, fmt, issued=date(2026, 12, 1), deadline_day=5)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    slides = 0
    if fmt == "pptx":
        from pptx import Presentation
        slides = len(Presentation(io.BytesIO(data)).slides)
    print("RESULT " + json.dumps({"wall": wall, "cpu": cpu, "slides": slides, "bytes": len(data)}), flush=True)
"""


TARGETS = {"pptx": 3.0, "xlsx": 2.0}  # seconds on the big db (issue 15)
MAX_SLIDES = 30


def revision(rev: str) -> str:
    """The commit ``rev`` names (the work tree's HEAD, marked ``+`` when it has changes)."""
    root = HERE.parent
    name = "HEAD" if rev == "." else rev
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", name], capture_output=True, text=True,
                            check=True).stdout.strip()
    dirty = rev == "." and subprocess.run(["git", "-C", str(root), "status", "--porcelain", "src"],
                                          capture_output=True, text=True, check=True).stdout.strip()
    return commit + ("+" if dirty else "")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Side:
    """A child process holding one revision's Summary of one database."""

    def __init__(self, tree: Path, db: Path, period: str):
        env = {**os.environ, "PYTHONPATH": str(tree / "src"), "INDICATORS_TODAY": "2026-12-01"}
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), period], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=tree)
        if self.proc.stdout.readline().strip() != "READY":
            raise RuntimeError("child failed to start")

    def render(self, fmt: str) -> dict:
        self.proc.stdin.write(fmt + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("RESULT "):
            raise RuntimeError(f"child said {line!r}")
        return json.loads(line.removeprefix("RESULT "))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def databases() -> list[tuple[str, Path, str]]:
    big = OUT / "dispatch_bench.duckdb"
    if not big.exists():
        import bench_dispatch
        bench_dispatch.build(big)
    demo = OUT / "pack_demo.duckdb"
    if not demo.exists():
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "init", "--demo", "--db", str(demo)],
                       check=True, env={**os.environ, "INDICATORS_TODAY": "2026-12-01"}, capture_output=True)
    return [("big db (7.2 M observations)", big, "2030-10"), ("demo city", demo, "2026-10")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", default=".")
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    print(f"A = {args.a} ({revision(args.a)}), B = {args.b} ({revision(args.b)}); "
          f"load average at start {load_average()}")
    OUT.mkdir(exist_ok=True)
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"A": export(args.a, Path(tmp) / "a"), "B": export(args.b, Path(tmp) / "b")}
        for label, db, period in databases():
            sides = {k: Side(tree, db, period) for k, tree in trees.items()}
            try:
                for fmt in ("pptx", "xlsx"):
                    pairs = []
                    for n in range(args.pairs):
                        pair = {k: sides[k].render(fmt) for k in ("A", "B")}
                        pairs.append(pair)
                        print(f"{label} {fmt} pair {n + 1}: A {pair['A']['wall']:.2f} s (cpu {pair['A']['cpu']:.2f}"
                              f"{', %d slides' % pair['A']['slides'] if fmt == 'pptx' else ''}) · "
                              f"B {pair['B']['wall']:.2f} s (cpu {pair['B']['cpu']:.2f}"
                              f"{', %d slides' % pair['B']['slides'] if fmt == 'pptx' else ''}) · "
                              f"load {os.getloadavg()[0]:.2f}", flush=True)
                    table.append((label, fmt, pairs))
            finally:
                for side in sides.values():
                    side.close()
    print(f"\nload average at the end {load_average()}")
    print("| database | file | A median (cpu) | B median (cpu) | B / A median [min–max] |")
    print("|---|---|---|---|---|")
    for label, fmt, pairs in table:
        med = {k: statistics.median(p[k]["wall"] for p in pairs) for k in ("A", "B")}
        cpu = {k: statistics.median(p[k]["cpu"] for p in pairs) for k in ("A", "B")}
        ratios = [p["B"]["wall"] / p["A"]["wall"] for p in pairs]
        print(f"| {label} | {fmt} | {med['A']:.2f} s ({cpu['A']:.2f}) | {med['B']:.2f} s ({cpu['B']:.2f}) | "
              f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}] |")
    print()
    for label, fmt, pairs in table:
        if fmt == "pptx":
            most = max(p["B"]["slides"] for p in pairs)
            print(f"target B slides ≤ {MAX_SLIDES}, {label}: {'met' if most <= MAX_SLIDES else 'NOT met'} "
                  f"({most} slides)")
        if not label.startswith("big db"):
            continue
        med = statistics.median(p["B"]["wall"] for p in pairs)
        cpu = statistics.median(p["B"]["cpu"] for p in pairs)
        worst = max(p["B"]["wall"] for p in pairs)
        print(f"target B {fmt} ≤ {TARGETS[fmt]:.0f} s, {label}: {'met' if med <= TARGETS[fmt] else 'NOT met'} "
              f"(median {med:.2f} s, slowest {worst:.2f} s, CPU median {cpu:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
