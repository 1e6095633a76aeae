"""What a hostile or huge return costs before it is refused (README「Bounds on a return file」).

Builds each file once in bench/out/bounds/, then runs the real command line
``indicators import FILE --dry-run --json`` on it in a child process under
``/usr/bin/time -v`` and prints, per file: exit code, wall time, peak resident memory,
the size of the JSON printed, and the first problem's rule and message. Defaults of
the bounds throughout (20 MB, 200,000 rows, 3,000,000 cells, 400 MB unpacked, 200
problems per rule).

    .venv/bin/python bench/bench_bounds.py [--rebuild] [--only NAME]
    .venv/bin/python bench/bench_bounds.py --scan-overhead [--pairs 7]

``--scan-overhead`` prices the guard on a legitimate file instead: the import
benchmark's 100,000-row workbook read by bare python-calamine (A) and by
``sources.read_sheets`` — the part scan, then calamine into the grid (B) — interleaved
A B A B …, and prints the B/A ratio of each pair, their median, min–max and the load.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out" / "bounds"
PY = Path(sys.executable)


def _million_rows(path: Path) -> None:  # the 14.5 MB workbook of identical rows
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("长表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    for i in range(1, 1_000_001):
        ws.write_row(i, 0, ["2026-10", "东城区", "技术合同成交额", 1])
    wb.close()


def _csv_unknown_units(path: Path, mb: int) -> None:  # the CSV of unknown units
    with path.open("w", encoding="utf-8") as f:
        f.write("期间,单位,指标,数值\n")
        i = 0
        while f.tell() < mb * 2**20:
            f.write(f"2026-10,未知单位{i:07d},技术合同成交额,{i}\n")
            i += 1


def _csv_rows_under_size(path: Path) -> None:  # 19 MB: under the size bound, over the rows bound
    _csv_unknown_units(path, 19)


def _csv_200k_unknown(path: Path) -> None:  # inside every bound, every row an error
    with path.open("w", encoding="utf-8") as f:
        f.write("期间,单位,指标,数值\n")
        for i in range(199_000):
            f.write(f"2026-10,未知单位{i:07d},技术合同成交额,{i}\n")


def _far_cell(path: Path, ref: bytes = b"XFD1048576") -> None:
    base = io.BytesIO()
    wb = xlsxwriter.Workbook(base, {"in_memory": True})
    ws = wb.add_worksheet("报表")
    ws.write_row(0, 0, ["期间", "单位", "指标", "数值"])
    ws.write_row(1, 0, ["2026-10", "东城区", "技术合同成交额", 1])
    wb.close()
    row = re.sub(rb"[A-Z]", b"", ref)
    _rewrite(base.getvalue(), path, lambda d: d.replace(
        b"</sheetData>", b'<row r="' + row + b'"><c r="' + ref + b'"><v>1</v></c></row></sheetData>'))


def _bomb(path: Path) -> None:  # 300 MB of blanks in the sheet XML, ~300 KB zipped
    base = io.BytesIO()
    wb = xlsxwriter.Workbook(base, {"in_memory": True})
    wb.add_worksheet("报表").write_row(0, 0, ["期间", "单位", "指标", "数值"])
    wb.close()
    _rewrite(base.getvalue(), path, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * 300_000_000))


def _entities(path: Path) -> None:
    base = io.BytesIO()
    wb = xlsxwriter.Workbook(base, {"in_memory": True})
    wb.add_worksheet("报表").write_row(0, 0, ["期间", "单位", "指标", "数值"])
    wb.close()
    laughs = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(8)) + b"]>"
    _rewrite(base.getvalue(), path, lambda d: d.replace(b"<worksheet", laughs + b"<worksheet", 1))


def _big_file(path: Path) -> None:  # 50 MB: over the size bound
    _csv_unknown_units(path, 50)


def _rewrite(data: bytes, dst: Path, fn) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            z.writestr(info.filename, fn(body) if info.filename == "xl/worksheets/sheet1.xml" else body)
    dst.write_bytes(out.getvalue())


def _tiny_valid(path: Path) -> None:  # the baseline: a process that imports nothing of note
    path.write_text("期间,单位,指标,数值\n2026-10,东城区,技术合同成交额,1\n", encoding="utf-8")


CASES = {
    "tiny_valid.csv (baseline)": _tiny_valid,
    "million_rows.xlsx": _million_rows,
    "unknown_units_50mb.csv": _big_file,
    "unknown_units_19mb.csv": _csv_rows_under_size,
    "unknown_units_199k.csv": _csv_200k_unknown,
    "far_cell_XFD1048576.xlsx": _far_cell,
    "far_cell_D900000.xlsx": lambda p: _far_cell(p, b"D900000"),
    "zip_bomb_300mb.xlsx": _bomb,
    "billion_laughs.xlsx": _entities,
}


def measure(db: Path, path: Path) -> dict:
    env = {**os.environ, "INDICATORS_TODAY": "2026-11-23"}
    cmd = ["/usr/bin/time", "-v", str(PY), "-m", "indicators", "import", str(path), "--dry-run", "--json",
           "--db", str(db)]
    run = subprocess.run(cmd, capture_output=True, env=env, timeout=900)
    err = run.stderr.decode("utf-8", "replace")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    first = "(no JSON)"
    try:
        out = json.loads(run.stdout)
        f = out["files"][0]
        p = f["problems"][0] if f["problems"] else {}
        first = f"{p.get('rule', '')}: {p.get('message', '')[:70]} (listed {len(f['problems'])}, " \
                f"omitted {sum(f['problems_omitted'].values())})"
    except (ValueError, KeyError, IndexError):
        first = err.splitlines()[0][:100] if err else ""
    return {"exit": run.returncode, "seconds": secs, "rss_mb": rss, "json_kb": len(run.stdout) / 1024,
            "first": first, "traceback": "Traceback" in err}


def scan_overhead(pairs: int) -> None:
    import statistics
    import time

    import python_calamine
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.path.insert(0, str(ROOT))
    from bench_import import FILE, build

    from indicators.returns.excel.sources import read_sheets
    if not FILE.exists():
        build(FILE)
    data = FILE.read_bytes()

    def bare() -> None:
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()

    def guarded() -> None:
        read_sheets(data, FILE.name)

    ratios = []
    for _ in range(pairs):
        t0 = time.perf_counter()
        bare()
        a = time.perf_counter() - t0
        t0 = time.perf_counter()
        guarded()
        b = time.perf_counter() - t0
        ratios.append(b / a)
        print(f"pair: A {a * 1000:6.0f} ms  B {b * 1000:6.0f} ms  B/A {b / a:.2f}")
    print(f"read_sheets / bare calamine: median {statistics.median(ratios):.2f}× "
          f"[{min(ratios):.2f}–{max(ratios):.2f}] over {pairs} interleaved pairs; load average {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--only", default=None)
    ap.add_argument("--scan-overhead", action="store_true")
    ap.add_argument("--pairs", type=int, default=7)
    args = ap.parse_args()
    if args.scan_overhead:
        scan_overhead(args.pairs)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        subprocess.run([str(PY), "-m", "indicators", "init", "--demo", "--db", str(db)], check=True,
                       capture_output=True, env={**os.environ, "INDICATORS_TODAY": "2026-11-23"})
        print(f"{'file':28} {'size':>9} {'exit':>4} {'wall s':>7} {'peak RSS MB':>11} {'JSON KB':>8}  first problem")
        for name, build in CASES.items():
            if args.only and args.only not in name:
                continue
            path = OUT / name.split(" ")[0]
            if args.rebuild or not path.exists():
                build(path)
            m = measure(db, path)
            size = path.stat().st_size / 2**20
            print(f"{name:28} {size:7.2f}MB {m['exit']:>4} {m['seconds']:7.2f} {m['rss_mb']:11.0f} "
                  f"{m['json_kb']:8.1f}  {m['first']}{'  TRACEBACK' if m['traceback'] else ''}")


if __name__ == "__main__":
    main()
