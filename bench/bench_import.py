"""Import benchmark (DESIGN §8, issue 15): our import against the bare readers, in pairs.

Three files of the same long-format data (期间, 单位, 指标, 数值; 200 units × 50 indicators
× N months, all keys distinct), built once into bench/out/:

- ``import_100k.xlsx`` — 100,000 rows (10 months), written by xlsxwriter;
- ``import_60k.xls``  — 60,000 rows (6 months): a .xls sheet holds at most 65,536 rows, so
  the first 60,000 rows of the same data, written to .xlsx and converted by LibreOffice
  (``soffice --headless --convert-to xls``), the way a bureau's .xls arrives;
- ``import_100k.csv`` — 100,000 rows, UTF-8, written by the csv module.

For each file, in one run, interleaved pair by pair (A B C A B C …):

  A  our import end to end, exactly what ``indicators import FILE --yes`` does minus the
     process start: ``read_return(path)`` → ``change_counts`` → ``refusal`` →
     ``commit_all`` (``check_allowed`` inside its write unit) into a fresh tmp DuckDB
     (its catalogue written beforehand, outside the timing);
  B  the bare baseline: python-calamine ``to_python()`` of the sheet (.xlsx, .xls), or
     ``pandas.read_csv`` (.csv);
  C  the naive reader: ``pandas.read_excel(engine="openpyxl")`` (.xlsx). openpyxl cannot
     read .xls and xlrd is not installed, so for .xls C is ``pandas.read_excel(engine=
     "calamine")``; for .csv there is no C.

Two floors are timed in the same rounds, each into a fresh tmp DuckDB like A's:

  S  storing alone: the 100k rows our reading gave (read once before the rounds), written
     into ``observation`` in one transaction — what any import that keeps the rows pays
     on top of reading them;
  F  (.csv only) DuckDB by itself, reading and storing without a single check:
     ``INSERT INTO observation SELECT … FROM read_csv(FILE) JOIN indicator JOIN org_unit``
     (names to codes) in one transaction. F/B is how close to B an import that stores the
     rows can get at best.

The page's path (``read_return(bytes)`` → ``preview_diff`` → ``check_allowed`` →
``commit``) differs in reading from bytes, building the whole diff the page shows and
checking permissions before 确认导入 as well as in ``commit``; it is timed
as P in the same pairs and printed beside A.

Prints each pair, the median pair ratios with min–max, and the load average at start and end.

    .venv/bin/python bench/bench_import.py [--pairs 5] [--rebuild] [--only xlsx,xls,csv]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import python_calamine
import xlsxwriter

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from indicators.accounts import system  # noqa: E402
from indicators.db import connection  # noqa: E402
from indicators.returns import pipeline  # noqa: E402
from indicators.settings import Settings  # noqa: E402

ADMIN, SETTINGS = system("bench"), Settings()

OUT = ROOT / "out"
XLSX, XLS, CSV = OUT / "import_100k.xlsx", OUT / "import_60k.xls", OUT / "import_100k.csv"
ROWS = {XLSX: 100_000, XLS: 60_000, CSV: 100_000}
N_UNITS, N_INDICATORS = 200, 50
TODAY = dt.date(2026, 11, 23)
AT = dt.datetime.combine(TODAY, dt.time(12))
HEADER = ["期间", "单位", "指标", "数值"]


def rows(months: int):
    rnd = random.Random(7)
    for m in range(1, months + 1):
        for u in range(N_UNITS):
            for i in range(N_INDICATORS):
                yield [f"2026-{m:02d}", f"单位{u:03d}", f"指标{i:02d}", round(rnd.random() * 1000, 2)]


def build_xlsx(path: Path, months: int) -> None:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(months), start=1):
        ws.write_row(r, 0, row)
    wb.close()


def build_csv(path: Path, months: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows(months))


def build_xls(path: Path, months: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (path.stem + ".xlsx")
        build_xlsx(src, months)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        "xls", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=600)
        shutil.move(str(Path(tmp) / path.name), path)


def build(rebuild: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for path, builder, months in ((XLSX, build_xlsx, 10), (CSV, build_csv, 10), (XLS, build_xls, 6)):
        if rebuild or not path.exists():
            t0 = time.perf_counter()
            builder(path, months)
            print(f"built {path.name} ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s")


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


def ours_cli(con, path: Path) -> int:
    """``indicators import PATH --yes`` minus the process start (cli/returns.py, cmd_import)."""
    readings = [pipeline.read_return(path, con=con, today=TODAY)]
    changes = [pipeline.change_counts(con, r) for r in readings]
    assert pipeline.refusal(readings, confirm_warnings=True) is None, readings[0].problems.head()
    # nothing refused: check_allowed runs once, inside commit_all's write unit, as the CLI does
    pipeline.commit_all(con, readings, actor=ADMIN, settings=SETTINGS, at=AT, confirm_warnings=True)
    assert all(sum(c.values()) == len(r.values) for c, r in zip(changes, readings))
    return len(readings[0].values)


def ours_page(con, path: Path) -> int:
    """The upload page: bytes in, read_return_with_status (read + preview_diff), then 确认导入."""
    data = path.read_bytes()
    reading = pipeline.read_return(data, path.name, con, today=TODAY)
    pipeline.diff_counts(pipeline.preview_diff(con, reading))
    pipeline.check_allowed(con, reading, ADMIN, settings=SETTINGS, at=AT)
    pipeline.commit(con, reading, actor=ADMIN, settings=SETTINGS, at=AT, confirm_warnings=True)
    return len(reading.values)


def store_only(con, frame: pd.DataFrame) -> int:
    """S: the rows written, nothing else (no batch, no checks)."""
    def unit(tx):
        with tx.registered("_rows", frame):
            tx.execute("INSERT INTO observation (indicator_code, org_unit, period, value, batch_id) "
                       "SELECT indicator_code, org_unit, period, value, 1 FROM _rows")
        return tx.execute("SELECT count(*) FROM observation").fetchone()[0]
    return con.write(unit)


def duckdb_csv(con, path: Path) -> int:
    """F: DuckDB reads the CSV and stores it, names turned into codes by a join."""
    def unit(tx):
        tx.execute(f"""INSERT INTO observation (indicator_code, org_unit, period, value, batch_id)
                       SELECT i.code, u.code, f.期间, f.数值, 1
                       FROM read_csv('{path}', header = true, types = {{'期间': 'VARCHAR', '数值': 'DOUBLE'}}) f
                       JOIN indicator i ON i.name = f.指标 JOIN org_unit u ON u.name = f.单位""")
        return tx.execute("SELECT count(*) FROM observation").fetchone()[0]
    return con.write(unit)


def timed_ours(fn, path: Path, arg=None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        con = setup_db(str(Path(tmp) / "b.duckdb"))
        t0 = time.perf_counter()
        n = fn(con, path if arg is None else arg)
        elapsed = time.perf_counter() - t0
        con.close()
    assert n == ROWS[path], n
    return elapsed


def calamine(path: Path):
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


CASES = {
    "xlsx": (XLSX, "calamine", calamine, "read_excel(openpyxl)", lambda p: pd.read_excel(p, engine="openpyxl")),
    "xls": (XLS, "calamine", calamine, "read_excel(calamine)", lambda p: pd.read_excel(p, engine="calamine")),
    "csv": (CSV, "read_csv", pd.read_csv, None, None),
}


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}× [{min(xs):.2f}–{max(xs):.2f}]"


def run_case(kind: str, pairs: int) -> None:
    path, b_name, b_fn, c_name, c_fn = CASES[kind]
    print(f"\n{kind}: {path.name}, {ROWS[path]:,} rows, {path.stat().st_size / 2**20:.1f} MiB  "
          f"(A = ours, `indicators import`; P = ours, the page's path; B = {b_name}"
          + (f"; C = {c_name})" if c_name else ")"))
    # one untimed round warms the imports and the file cache; the rows S stores come from it
    timed_ours(ours_cli, path), b_fn(path)
    with tempfile.TemporaryDirectory() as tmp:
        con = setup_db(str(Path(tmp) / "r.duckdb"))
        rows_read = pipeline.read_return(path, con=con, today=TODAY).values[["indicator_code", "org_unit", "period",
                                                                            "value"]]
        con.close()
    if kind == "csv":
        timed_ours(duckdb_csv, path)
    a_b, p_b, c_a, s_b, f_b = [], [], [], [], []
    for i in range(pairs):
        a = timed_ours(ours_cli, path)
        b = timed(b_fn, path)
        p = timed_ours(ours_page, path)
        c = timed(c_fn, path) if c_fn else None
        st = timed_ours(store_only, path, rows_read)
        f = timed_ours(duckdb_csv, path) if kind == "csv" else None
        a_b.append(a / b)
        p_b.append(p / b)
        s_b.append(st / b)
        line = f"  pair {i + 1}: A {a * 1000:6.0f} ms  B {b * 1000:6.0f} ms  P {p * 1000:6.0f} ms  A/B {a / b:.2f}×  P/B {p / b:.2f}×"
        if c is not None:
            c_a.append(c / a)
            line += f"  C {c * 1000:6.0f} ms  C/A {c / a:.1f}×"
        line += f"  S {st * 1000:5.0f} ms"
        if f is not None:
            f_b.append(f / b)
            line += f"  F {f * 1000:5.0f} ms  F/B {f / b:.2f}×"
        print(line, flush=True)
    print(f"  A/B (ours / {b_name}) = {spread(a_b)}  target ≤ 1.3×")
    print(f"  P/B (page / {b_name}) = {spread(p_b)}")
    print(f"  S/B (storing the rows alone / {b_name}) = {spread(s_b)}")
    if f_b:
        print(f"  F/B (DuckDB read_csv + store, no checks / {b_name}) = {spread(f_b)}  (the floor of A/B)")
    if c_a:
        target = "  target ≥ 10×" if kind == "xlsx" else ""
        print(f"  C/A ({c_name} / ours) = {spread(c_a).replace('.2f', '.1f')}{target}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--only", default="xlsx,xls,csv")
    args = ap.parse_args()
    build(args.rebuild)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} cores)")
    for kind in args.only.split(","):
        run_case(kind, args.pairs)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
