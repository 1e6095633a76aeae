"""The dispatch table, byte for byte: save one revision's tables, check another's against them.

    .venv/bin/python bench/dispatch_golden.py save DIR    # e.g. on main, before a speed-up
    .venv/bin/python bench/dispatch_golden.py check DIR [demo|big]  # after every step

Cases: the 7.2 M-observation bench db (bench/out/dispatch_bench.duckdb) at 2030-10,
2030-01 and 2030-12, and the demo city (bench/out/pack_demo.duckdb, built with
``indicators init --demo`` as bench_pack does) at a January, a December and months
between. Each table is kept as a pickle (dtypes exact) and a parquet file; ``check``
compares every column: dtype, every value (NaN where NaN) and, for object columns,
the Python type of every value.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from indicators.db import connection  # noqa: E402
from indicators.dispatch import dispatch_table  # noqa: E402
from indicators.settings import Settings  # noqa: E402

OUT = HERE / "out"
CASES = [("big", OUT / "dispatch_bench.duckdb", p) for p in ("2030-10", "2030-01", "2030-12")] + \
        [("demo", OUT / "pack_demo.duckdb", p) for p in ("2026-01", "2026-03", "2026-09", "2026-10", "2025-12")]
VARIANTS = [{}, {"rank_by": "value"}, {"unit": "UNIT"}]


def tables():
    for name, db, period in CASES:
        con = connection.connect(db, read_only=True)
        for variant in VARIANTS:
            kw = dict(variant)
            if kw.get("unit") == "UNIT":  # a district: the first child of the root
                kw["unit"] = con.execute("SELECT code FROM org_unit WHERE level = 1 ORDER BY sort_order, code "
                                         "LIMIT 1").fetchone()[0]
                if name == "big" and period != "2030-10":
                    continue
            label = f"{name}_{period}" + "".join(f"_{k}-{v}" for k, v in kw.items())
            yield label, dispatch_table(con, period, Settings(), **kw)
        con.close()


def same(a: pd.DataFrame, b: pd.DataFrame, label: str) -> list[str]:
    bad = []
    if list(a.columns) != list(b.columns):
        return [f"{label}: columns differ"]
    if not a.index.equals(b.index):
        bad.append(f"{label}: index differs")
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype != y.dtype:
            bad.append(f"{label}.{c}: dtype {x.dtype} vs {y.dtype}")
            continue
        try:
            pd.testing.assert_series_equal(x, y, check_exact=True, check_names=False)
        except AssertionError as e:
            bad.append(f"{label}.{c}: values differ: {str(e)[:300]}")
            continue
        if x.dtype == object and [type(v) for v in x] != [type(v) for v in y]:
            bad.append(f"{label}.{c}: value types differ")
    return bad


def main() -> int:
    mode, where = sys.argv[1], Path(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else ""  # e.g. "demo": those cases only
    where.mkdir(parents=True, exist_ok=True)
    bad = []
    for label, t in tables():
        if not label.startswith(only):
            continue
        if mode == "save":
            t.to_pickle(where / f"{label}.pkl")
            t.to_parquet(where / f"{label}.parquet")
            print(f"saved {label}: {len(t)} rows")
        else:
            b = same(pd.read_pickle(where / f"{label}.pkl"), t, label)
            print(f"{label}: {len(t)} rows, " + ("same" if not b else f"{len(b)} DIFFERENCES"))
            bad += b
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
