"""Published-statistics scenarios through the documented CLI only (importable as
``published``): write the blank setup workbook with ``indicators setup-template``, fill
its sheets as a bureau would (by their Chinese headers), ``setup-import`` it, ``import``
return files, read ``status --json [--rank-by …]``. Nothing here calls the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

# the clock is pinned after every return used here was due (issue 8's INDICATORS_TODAY)
TODAY = "2025-03-10"


def cli(*args, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    full = {**os.environ, "INDICATORS_TODAY": TODAY, "PYTHONWARNINGS": "ignore", **(env or {})}
    full.pop("INDICATORS_DB", None)
    proc = subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          env=full, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"indicators {' '.join(map(str, args))} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def setup_city(tmp: Path, sheets: dict[str, list[dict]]) -> Path:
    """A database loaded from the CLI's blank setup workbook with ``sheets`` filled in
    ({sheet name: [{header: value}]}); returns the database path."""
    book = tmp / "设置.xlsx"
    cli("setup-template", "--out", book)
    wb = openpyxl.load_workbook(book)
    for sheet, rows in sheets.items():
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        for r in rows:
            unknown = set(r) - set(headers)
            assert not unknown, f"{sheet}: no column {unknown}"
            ws.append([r.get(h) for h in headers])
    wb.save(book)
    db = tmp / "city.duckdb"
    cli("setup-import", book, "--db", db)
    return db


def long_return(path: Path, rows: list[tuple], title: str | None = None) -> Path:
    """A long-layout return (期间, 单位, 指标, 数值) as a bureau's .xlsx."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    if title:
        ws.append([title])
    ws.append(["期间", "单位", "指标", "数值"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def import_returns(db: Path, *files: Path) -> dict:
    out = cli("import", *files, "--db", db, "--yes", "--json")
    return json.loads(out.stdout) if out.stdout.strip() else {}


def status(db: Path, period: str, *extra) -> list[dict]:
    return json.loads(cli("status", "--db", db, "--period", period, "--json", *extra).stdout)


def rows_by(records: list[dict], indicator: str) -> dict[str, dict]:
    """The records of one indicator (by code) keyed by unit name."""
    return {r["org_unit_name"]: r for r in records if r["indicator_code"] == indicator}
