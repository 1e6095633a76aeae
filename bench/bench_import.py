"""Import benchmark (DESIGN §8): a 100,000-row long-format .xlsx return.

Times, in one run and the same process:
  (a) pandas.read_excel(engine="openpyxl") alone — the naive reader;
  (b) a bare python-calamine read of the sheet — the floor;
  (c) our import end to end: read → locate → normalise → validate → diff → commit
      into a fresh tmp DuckDB.
Prints medians, the ratios a/c and c/b, and peak memory (tracemalloc, run separately so
tracing does not distort the timings).

    .venv/bin/python bench/bench_import.py [--rebuild] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import python_calamine
import xlsxwriter

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from indicators.accounts import system  # noqa: E402
from indicators.db import connection  # noqa: E402
from indicators.returns.pipeline import commit, preview_diff, read_return  # noqa: E402
from indicators.settings import Settings  # noqa: E402

ADMIN, SETTINGS = system("bench"), Settings()

OUT = ROOT / "out"
FILE = OUT / "import_100k.xlsx"
ROWS = 100_000
N_UNITS, N_INDICATORS, MONTHS = 200, 50, 10  # 200 × 50 × 10 = 100,000 distinct keys
TODAY = dt.date(2026, 11, 23)


def build(path: Path) -> None:
    rnd = random.Random(7)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    r = 1
    for m in range(1, MONTHS + 1):
        for u in range(N_UNITS):
            for i in range(N_INDICATORS):
                ws.write_row(r, 0, [f"2026-{m:02d}", f"单位{u:03d}", f"指标{i:02d}", round(rnd.random() * 1000, 2)])
                r += 1
    wb.close()


def setup_db(path: str):
    con = connection.connect(path, create=True)
    units = pd.DataFrame({"code": [f"U{u:03d}" for u in range(N_UNITS)], "name": [f"单位{u:03d}" for u in range(N_UNITS)],
                          "parent_code": None, "level": 1, "sort_order": range(N_UNITS), "aliases": None})
    inds = pd.DataFrame({"code": [f"I{i:02d}" for i in range(N_INDICATORS)], "name": [f"指标{i:02d}" for i in range(N_INDICATORS)],
                         "unit": "万元", "kind": "stock", "sort_order": range(N_INDICATORS)})
    with con.registered("_u", units), con.registered("_i", inds):
        con.execute("INSERT INTO org_unit (code, name, parent_code, level, sort_order, aliases) SELECT * FROM _u")
        con.execute("INSERT INTO indicator (code, name, unit, kind, sort_order) SELECT * FROM _i")
    return con


def run_openpyxl():
    return pd.read_excel(FILE, engine="openpyxl")


def run_calamine():
    book = python_calamine.CalamineWorkbook.from_path(str(FILE))
    return book.get_sheet_by_index(0).to_python()


DIFF_TIMES: list[float] = []


def run_ours():
    """read → validate → commit; the page's preview diff is timed apart (DIFF_TIMES)."""
    with tempfile.TemporaryDirectory() as tmp:
        con = setup_db(str(Path(tmp) / "b.duckdb"))
        t0 = time.perf_counter()
        reading = read_return(FILE, con=con, today=TODAY)
        assert reading.ok and len(reading.values) == ROWS, reading.problems.head()
        commit(con, reading, actor=ADMIN, settings=SETTINGS, at=dt.datetime.combine(TODAY, dt.time(12)),
               confirm_warnings=True)
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        preview_diff(con, reading)
        DIFF_TIMES.append(time.perf_counter() - t1)
        con.close()
    return elapsed


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn()
        out.append(res if isinstance(res, float) else time.perf_counter() - t0)
    return statistics.median(out)


def peak(fn) -> float:
    tracemalloc.start()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.rebuild or not FILE.exists():
        t0 = time.perf_counter()
        build(FILE)
        print(f"built {FILE.name} ({FILE.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s")
    a = timed(run_openpyxl, 1)
    b = timed(run_calamine, args.repeat)
    c = timed(run_ours, args.repeat)
    print(f"(a) pandas.read_excel(openpyxl):   {a * 1000:8.0f} ms")
    print(f"(b) bare python-calamine read:     {b * 1000:8.0f} ms")
    print(f"(c) our import, end to end:        {c * 1000:8.0f} ms")
    print(f"    preview_diff (page preview, not in c): {statistics.median(DIFF_TIMES) * 1000:.0f} ms")
    print(f"a / c = {a / c:.1f}×  (target ≥ 5×)    c / b = {c / b:.2f}×  (target ≤ 1.5×)")
    print(f"peak traced memory: (b) {peak(run_calamine):.0f} MiB, (c) {peak(run_ours):.0f} MiB")


if __name__ == "__main__":
    main()
