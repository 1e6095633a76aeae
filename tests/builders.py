"""Data builders shared by tests (importable as `builders`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.setup import workbook

# When fixtures are written (upload, setup and audit times): a day after October's returns
# were due, like the tests' TODAY (2026-11-23).
AT = dt.datetime(2026, 11, 23, 10, 0)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def tiny_setup() -> dict[str, pd.DataFrame]:
    """A city C with districts A and B, and a zone Z under A (three levels)."""
    cols = {t: [c.name for c in spec[1]] for t, spec in workbook.SHEETS.items()}
    f = {}
    f["org_unit"] = _frame([
        dict(code="C", name="测试市", sort_order=0),
        dict(code="A", name="甲区", parent_code="C", sort_order=1, aliases="甲"),
        dict(code="B", name="乙县", parent_code="C", sort_order=2),
        dict(code="Z", name="甲区园区", parent_code="A", sort_order=3),
    ], cols["org_unit"])
    f["department"] = _frame([dict(code="D1", name="高新技术科"), dict(code="D2", name="成果转化科")], cols["department"])
    f["leader"] = _frame([dict(code="L1", name="张局长", title="局长"), dict(code="L2", name="李副局长", title="副局长")], cols["leader"])
    base = dict(category="测试", direction="higher", frequency="monthly", decimals=2, factor=1.0, allow_negative=False)
    f["indicator"] = _frame([
        {**base, "code": "TC", "name": "技术合同成交额", "unit": "亿元", "kind": "cumulative", "sort_order": 1},
        {**base, "code": "HT", "name": "高新技术企业数", "unit": "家", "kind": "stock", "sort_order": 2, "decimals": 0},
        {**base, "code": "NUM", "name": "高新技术产业产值", "unit": "亿元", "kind": "cumulative", "sort_order": 3},
        {**base, "code": "DEN", "name": "规上工业总产值", "unit": "亿元", "kind": "cumulative", "sort_order": 4},
        {**base, "code": "R", "name": "高新技术产业产值占比", "unit": "%", "kind": "ratio", "sort_order": 5,
         "numerator_code": "NUM", "denominator_code": "DEN", "factor": 100.0},
        {**base, "code": "GDP", "name": "地区生产总值", "unit": "亿元", "kind": "cumulative", "sort_order": 6,
         "frequency": "quarterly"},
        {**base, "code": "PAT", "name": "每万人发明专利拥有量", "unit": "件", "kind": "ratio", "sort_order": 7},
        {**base, "code": "LOW", "name": "研发活动空白率", "unit": "%", "kind": "ratio", "sort_order": 8,
         "direction": "lower"},
    ], cols["indicator"])
    f["responsibility"] = _frame([
        dict(indicator_code="TC", lead_department="D2", leader="L2", support_departments="D1"),
        dict(indicator_code="HT", lead_department="D1", leader="L1"),
    ], cols["responsibility"])
    targets = []
    for ind, vals in {"TC": {"C": 150, "A": 100, "B": 50, "Z": 30}, "HT": {"A": 120, "B": 60, "Z": 20},
                      "R": {"C": 50, "A": 50, "B": 50}, "GDP": {"A": 400, "B": 200},
                      "PAT": {"C": 20, "A": 22, "B": 15}, "LOW": {"A": 10.0, "B": 10.0}}.items():
        for unit, v in vals.items():
            targets.append(dict(indicator_code=ind, org_unit=unit, year=2026, value=v))
    f["target"] = _frame(targets, cols["target"])
    return f


TINY_OBS = [
    # TC cumulative; Z is a child of A and reports; A reports itself too (A wins over Z's roll-up)
    ("TC", "A", "2026-09", 60), ("TC", "A", "2026-10", 70), ("TC", "Z", "2026-10", 25),
    ("TC", "B", "2026-09", 18), ("TC", "B", "2026-10", 20),
    ("TC", "A", "2025-10", 50), ("TC", "A", "2025-12", 80), ("TC", "B", "2025-10", 30), ("TC", "B", "2025-12", 40),
    # HT stock: B missing in 2026-10, Z reported
    ("HT", "A", "2025-12", 100), ("HT", "A", "2026-10", 110), ("HT", "B", "2025-12", 50), ("HT", "Z", "2026-10", 15),
    # components of the derived ratio R
    ("NUM", "A", "2026-10", 10), ("DEN", "A", "2026-10", 20), ("NUM", "B", "2026-10", 1), ("DEN", "B", "2026-10", 80),
    # quarterly GDP: on 2026-09
    ("GDP", "A", "2026-09", 300), ("GDP", "B", "2026-09", 120),
    # PAT reported at each level, including the city
    ("PAT", "A", "2026-10", 21), ("PAT", "B", "2026-10", 12), ("PAT", "C", "2026-10", 18),
    ("LOW", "A", "2025-12", 15.0), ("LOW", "A", "2026-10", 12.0),
]


def tiny_observations() -> pd.DataFrame:
    return pd.DataFrame(TINY_OBS, columns=["indicator_code", "org_unit", "period", "value"])


