"""What one page run costs the server, old code against new, interleaved.

    .venv/bin/python bench/bench_page_runs.py --a REV [--b REV] [--pairs 5] [--db postgres|file|big]

``--a`` / ``--b`` are git revisions of this repository (``--b`` defaults to the work
tree): each side's ``src/``, ``pages/`` and ``tests/`` are exported to a temporary folder
and run in a child process of its own, A B A B …, so both meet the same machine load. A child opens the leader pages
(调度总览, 指标详情, 责任分解) as a signed-in admin under Streamlit's AppTest — the
script run the server does for a click, without the browser — and times, per page, the
rerun on unchanged data (every result from the caches: what most clicks under load cost)
and the first run on another month (the dispatch table and page data computed). The
database is the demo city, on PostgreSQL (a throwaway server, ``deploy/localpg.py``) or
the DuckDB file, or (``big``) the 7.2 M-observation file of bench_pages.py (2030-10, then
2030-09). The warm rerun's CPU time (the child process's, time.process_time) is what 50
sessions clicking share on two cores. Prints each pair and the median B / A ratio with its min–max.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PAGES = ("pages/overview.py", "pages/indicator.py", "pages/responsibility.py")
WARM_RUNS = 3

CHILD = r"""
import json, os, statistics, sys, time
sys.path.insert(0, {tests!r})
import pagetest

class Env:
    def setenv(self, key, value): os.environ[key] = value

result = {{}}
# signed in first, every page: signing in clears st.cache_resource (pagetest.with_db), which
# a server never does between clicks; then each page's timings on the caches they share
opened = {{page: pagetest.open_page(page, {db!r}, Env(), as_login="admin", month={month!r}) for page in {pages!r}}}
for page, at in opened.items():
    at.run()
    assert not at.exception, at.exception
    warm, cpu = [], []
    for _ in range({warm}):
        t, c = time.perf_counter(), time.process_time(); at.run()
        warm.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    at.query_params["month"] = {other!r}
    t = time.perf_counter(); at.run(); other = time.perf_counter() - t
    assert not at.exception, at.exception
    result[page] = {{"warm": statistics.median(warm), "warm_cpu": statistics.median(cpu), "new_month": other}}
print("RESULT " + json.dumps(result))
"""


def export(rev: str, into: Path) -> Path:
    """``src/``, ``pages/`` and ``tests/`` of ``rev`` (the work tree for ``"."``) under ``into``."""
    into.mkdir(parents=True)
    if rev == ".":
        return ROOT
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src", "pages", "tests"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


# the database, the day it is looked at, the month the pages open on and the one changed to
SETUPS = {"postgres": ("demo", "2026-12-01", "2026-09", "2026-08"), "file": ("demo", "2026-12-01", "2026-09", "2026-08"),
          "big": ("big", "2030-11-20", "2030-10", "2030-09")}


def child(tree: Path, db: str, setup: tuple) -> dict:
    _, today, month, other = setup
    code = CHILD.format(tests=str(tree / "tests"), pages=PAGES, db=db, warm=WARM_RUNS, month=month, other=other)
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "INDICATORS_TODAY": today}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tree, timeout=900)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(line.removeprefix("RESULT "))


def total(result: dict, what: str) -> float:
    return sum(r[what] for r in result.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", default=".")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--db", choices=("postgres", "file", "big"), default="postgres",
                    help="big: a copy of bench/out/pages_big.duckdb (bench_pages.py makes it), the file")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    demo = OUT / "page_runs_demo.duckdb"
    if not demo.exists():
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "init", "--demo", "--db", str(demo)],
                       check=True, env={**os.environ, "INDICATORS_TODAY": "2026-12-01"})
    sys.path.insert(0, str(ROOT / "deploy"))
    from localpg import LocalPostgres

    if args.db == "big" and not (OUT / "pages_big.duckdb").exists():
        raise SystemExit("bench/out/pages_big.duckdb missing: run bench/bench_pages.py --db big first")
    with tempfile.TemporaryDirectory() as tmp, (LocalPostgres() if args.db == "postgres" else nullcontext()) as pg:
        sources = {"A": export(args.a, Path(tmp) / "a"), "B": export(args.b, Path(tmp) / "b")}
        pairs = []
        for n in range(args.pairs):
            pair = {}
            for side in ("A", "B"):
                if args.db == "postgres":
                    db = pg.create_database(f"p{n}{side.lower()}", template=None)
                    subprocess.run([sys.executable, "-m", "indicators", "migrate", "--from", str(demo), "--to", db],
                                   check=True, capture_output=True, cwd=ROOT)
                else:
                    db = str(Path(tmp) / f"p{n}{side}.duckdb")
                    shutil.copyfile(OUT / "pages_big.duckdb" if args.db == "big" else demo, db)
                pair[side] = child(sources[side], db, SETUPS[args.db])
                Path(db).unlink(missing_ok=True)
            pairs.append(pair)
            print(f"pair {n + 1}: warm A {total(pair['A'], 'warm'):.2f} s B {total(pair['B'], 'warm'):.2f} s "
                  f"(CPU A {total(pair['A'], 'warm_cpu'):.2f} s B {total(pair['B'], 'warm_cpu'):.2f} s) · "
                  f"new month A {total(pair['A'], 'new_month'):.2f} s B {total(pair['B'], 'new_month'):.2f} s",
                  flush=True)
    print(f"\nA = {args.a}, B = {args.b}, {args.db}, {args.pairs} interleaved pairs; load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    print("| run | A median | B median | B / A median [min–max] |")
    print("|---|---|---|---|")
    for what, label in (("warm", "rerun on unchanged data (3 pages)"), ("warm_cpu", "its CPU time (3 pages)"),
                        ("new_month", "another month (3 pages)")):
        a = [total(p["A"], what) for p in pairs]
        b = [total(p["B"], what) for p in pairs]
        ratios = [y / x for x, y in zip(a, b)]
        print(f"| {label} | {statistics.median(a):.2f} s | {statistics.median(b):.2f} s | "
              f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}] |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
