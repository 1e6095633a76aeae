"""What one page run costs the server, old code against new, interleaved.

    .venv/bin/python bench/bench_page_runs.py --a REV [--b REV] [--pairs 5] [--db postgres|file]

``--a`` / ``--b`` are git revisions of this repository (``--b`` defaults to the work
tree): each side's ``src/``, ``pages/`` and ``tests/`` are exported to a temporary folder
and run in a child process of its own, A B A B …, so both meet the same machine load. A child opens the leader pages
(调度总览, 指标详情, 责任分解) as a signed-in admin under Streamlit's AppTest — the
script run the server does for a click, without the browser — and times, per page, the
rerun on unchanged data (every result from the caches: what most clicks under load cost)
and the first run on another month (the dispatch table and page data computed). The
database is the demo city, on PostgreSQL (a throwaway server, ``deploy/localpg.py``) or
the DuckDB file. Prints each pair and the median B / A ratio with its min–max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
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
for page in {pages!r}:
    at = pagetest.open_page(page, {db!r}, Env(), as_login="admin", month="2026-09")
    assert not at.exception, at.exception
    warm = []
    for _ in range({warm}):
        t = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t)
    at.query_params["month"] = "2026-08"
    t = time.perf_counter(); at.run(); other = time.perf_counter() - t
    assert not at.exception, at.exception
    result[page] = {{"warm": statistics.median(warm), "new_month": other}}
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


def child(tree: Path, db: str) -> dict:
    code = CHILD.format(tests=str(tree / "tests"), pages=PAGES, db=db, warm=WARM_RUNS)
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "INDICATORS_TODAY": "2026-12-01"}
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
    ap.add_argument("--db", choices=("postgres", "file"), default="postgres")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    demo = OUT / "page_runs_demo.duckdb"
    if not demo.exists():
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "init", "--demo", "--db", str(demo)],
                       check=True, env={**os.environ, "INDICATORS_TODAY": "2026-12-01"})
    sys.path.insert(0, str(ROOT / "deploy"))
    from localpg import LocalPostgres

    with tempfile.TemporaryDirectory() as tmp, LocalPostgres() as pg:
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
                    Path(db).write_bytes(demo.read_bytes())
                pair[side] = child(sources[side], db)
            pairs.append(pair)
            print(f"pair {n + 1}: warm A {total(pair['A'], 'warm'):.2f} s B {total(pair['B'], 'warm'):.2f} s · "
                  f"new month A {total(pair['A'], 'new_month'):.2f} s B {total(pair['B'], 'new_month'):.2f} s",
                  flush=True)
    print(f"\nA = {args.a}, B = {args.b}, {args.db}, {args.pairs} interleaved pairs; load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    print("| run | A median | B median | B / A median [min–max] |")
    print("|---|---|---|---|")
    for what, label in (("warm", "rerun on unchanged data (3 pages)"), ("new_month", "another month (3 pages)")):
        a = [total(p["A"], what) for p in pairs]
        b = [total(p["B"], what) for p in pairs]
        ratios = [y / x for x, y in zip(a, b)]
        print(f"| {label} | {statistics.median(a):.2f} s | {statistics.median(b):.2f} s | "
              f"{statistics.median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}] |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
