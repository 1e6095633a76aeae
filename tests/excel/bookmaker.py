"""Building test databases and return workbooks in code (no binary fixtures)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
from actors import ADMIN
from builders import AT
from needs import need

from indicators.db import batches, connection

TODAY = dt.date(2026, 11, 23)

UNITS = [  # code, name, parent, level, sort, aliases
    ("C", "示范市", None, 0, 0, "全市"),
    ("D1", "高新区", "C", 1, 1, "高新技术产业开发区"),
    ("D2", "东城区", "C", 1, 2, None),
    ("D3", "西湖县", "C", 1, 3, "西湖"),
]
INDICATORS = [  # code, name, aliases, unit, kind, allow_negative
    ("JS", "技术合同成交额", "技术交易额；技术合同额", "亿元", "cumulative", False),
    ("GQ", "高新技术企业数", "高企数,高企", "家", "stock", False),
    ("RD", "R&D经费占GDP比重", "研发强度", "%", "ratio", False),
    ("ZJ", "奖补资金兑现", None, "万元", "cumulative", False),
    ("LR", "利润增长额", None, "万元", "cumulative", True),
]


def make_db(path=":memory:"):
    con = connection.connect(path, create=True)
    for i, u in enumerate(UNITS):
        con.execute("INSERT INTO org_unit (code, name, parent_code, level, sort_order, aliases) VALUES (?,?,?,?,?,?)", list(u))
    for i, (code, name, aliases, unit, kind, neg) in enumerate(INDICATORS):
        con.execute("""INSERT INTO indicator (code, name, aliases, unit, kind, allow_negative, sort_order)
                       VALUES (?,?,?,?,?,?,?)""", [code, name, aliases, unit, kind, neg, i])
    return con


def seed(con, rows, file_name="seed.xlsx"):
    """Store (indicator_code, org_unit, period, value) rows as one batch."""
    frame = pd.DataFrame(rows, columns=["indicator_code", "org_unit", "period", "value"])
    return batches.write_batch(con, frame, file_name=file_name, actor=ADMIN, at=AT)


def xlsx(path: Path, rows: list[list], *, merges=(), sheet="报表", extra=None) -> Path:
    """A workbook whose first sheet holds ``rows`` from A1 (None = empty cell)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    for name, more in (extra or {}).items():
        ws2 = wb.create_sheet(name)
        for r in more:
            ws2.append(r)
    wb.save(path)
    return path


def long_rows(values, header=("期间", "单位", "指标", "数值")):
    return [list(header)] + [list(v) for v in values]


def to_xls(src: Path, outdir: Path) -> Path:
    """Convert with LibreOffice (``needs.need`` when it is missing)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        need("soffice（LibreOffice，生成 .xls 测试文件）")
    subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=120,
                   env={**os.environ, "HOME": str(outdir)})
    out = outdir / (src.stem + ".xls")
    assert out.exists(), "LibreOffice did not write the .xls"
    return out
