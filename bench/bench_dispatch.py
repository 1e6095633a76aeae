"""Benchmark: the dispatch table for one month over 300 indicators × 200 units × 120 months.

    .venv/bin/python bench/bench_dispatch.py [--pairs 5] [--rebuild] [--no-scaling]

Builds (once, in bench/out/, in bulk SQL) a DuckDB file with 7.2 M observations — every
unit of a three-level tree reports every indicator every month for 2021-01 … 2030-12 —
and one with 4× the units (800: 28.8 M observations). Then, interleaved in one run,
round by round (A B C, A B C, …):
  A. ``dispatch_table`` — our path, the whole table (this month's and last month's
     columns, ranking, comparisons, review);
  B. plain pandas — read the whole observation history into a DataFrame, pick the
     months both tables need with pandas (merge), then the same rules to the same
     output (``compute_dispatch`` for this month and last month, review, last month's
     columns);
  C. the same as B with the history already in memory (pick + rules only: not a
     realistic page load — the history would have to stay in RAM), for honesty.
A and B must give the same full table: every column is compared, exactly.
Then the scaling check, interleaved too: A on the 7.2 M db, A on the 28.8 M db.
Prints every round, the median pair ratio with its min–max, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from indicators.db import catalog, connection  # noqa: E402
from indicators.dispatch import COLUMNS, compute_dispatch, dispatch_table, needed_periods  # noqa: E402
from indicators.returns.review import review_column  # noqa: E402
from indicators.rules import month_change  # noqa: E402
from indicators.settings import Settings  # noqa: E402

N_IND, N_UNITS, N_MONTHS = 300, 200, 120
PERIOD = "2030-10"
DB = ROOT / "out" / "dispatch_bench.duckdb"
DB_4X = ROOT / "out" / "dispatch_bench_4x.duckdb"  # 4× the units: 28.8 M observations


def build(path: Path, n_units: int = N_UNITS) -> None:
    """The bench database: a city, (n_units − 1) / 10 districts, the rest towns (ten per
    district while they last) — 1 + 19 + 180 for 200 units, 1 + 79 + 720 for 800."""
    n_districts = (n_units - 1) // 10
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = connection.connect(path, create=True)
    con.execute("""INSERT INTO org_unit (code, name, parent_code, level, sort_order)
        SELECT 'U' || lpad(u::VARCHAR, 3, '0'), '单位' || u,
               CASE WHEN u = 0 THEN NULL WHEN u <= $d THEN 'U000'
                    ELSE 'U' || lpad((1 + (u - $d - 1) // 10)::VARCHAR, 3, '0') END,
               CASE WHEN u = 0 THEN 0 WHEN u <= $d THEN 1 ELSE 2 END, u
        FROM range($n) t(u)""", {"n": n_units, "d": n_districts})
    con.execute("""INSERT INTO indicator (code, name, unit, kind, frequency, sort_order)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), '指标' || i, '万元',
               CASE WHEN i % 10 < 6 THEN 'cumulative' WHEN i % 10 < 9 THEN 'stock' ELSE 'ratio' END,
               CASE WHEN i % 25 = 0 THEN 'quarterly' ELSE 'monthly' END, i
        FROM range(?) t(i)""", [N_IND])
    con.execute("INSERT INTO batch (id, file_name, rows) VALUES (1, 'bench', ?)", [N_IND * n_units * N_MONTHS])
    con.execute("""INSERT INTO observation (indicator_code, org_unit, period, value, batch_id)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), 'U' || lpad(u::VARCHAR, 3, '0'),
               printf('%04d-%02d', 2021 + m // 12, m % 12 + 1),
               CASE WHEN i % 10 < 6 THEN (m % 12 + 1) * (100 + (i * 7 + u * 13) % 50) * (1 + 0.1 * random())
                    ELSE 1000 + m * 3 + (i + u) % 100 + 10 * random() END,
               1
        FROM range(?) t(i), range(?) s(u), range(?) r(m)""", [N_IND, n_units, N_MONTHS])
    con.execute("""INSERT INTO target (indicator_code, org_unit, year, value)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), 'U' || lpad(u::VARCHAR, 3, '0'), 2030,
               CASE WHEN i % 10 < 6 THEN 1400 * (100 + (i * 7 + u * 13) % 50) ELSE 1400 + (i + u) % 100 END
        FROM range(?) t(i), range(?) s(u)""", [N_IND, n_units])
    con.execute("CHECKPOINT")
    con.close()


def read_history(con) -> pd.DataFrame:
    return con.execute("SELECT indicator_code, org_unit, period, value, batch_id FROM current_observation").df()


def pandas_pick(history: pd.DataFrame, need: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``need``'s (indicator, period) pairs, in the order the roll-up sums them
    (indicator, unit, period as the catalog orders them: the same floating-point sums)."""
    pairs = need[["indicator_code", "period"]].drop_duplicates()
    picked = history.merge(pairs, on=["indicator_code", "period"], how="inner")
    order = pd.DataFrame({"i": pd.Index(inds["code"]).get_indexer(picked["indicator_code"]),
                          "u": pd.Index(units["code"]).get_indexer(picked["org_unit"]),
                          "p": picked["period"].to_numpy(dtype=object)})
    return picked.iloc[np.lexsort([order["p"], order["u"], order["i"]])].reset_index(drop=True)


def plain_pandas(con, history: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """B (``history`` None: read it here) and C: the same table as ``dispatch_table``."""
    history = read_history(con) if history is None else history
    units, inds = catalog.org_units(con), catalog.indicators(con)
    targets = catalog.current_targets(con, int(PERIOD[:4]))

    def table(period: str) -> pd.DataFrame:
        need = needed_periods(inds, period)
        return compute_dispatch(pandas_pick(history, need, units, inds), units, inds, targets, need, period, settings)

    now = table(PERIOD)
    now["review"] = review_column(con, now, units, inds)
    return month_change.with_last_month(now, table(month_change.last_period(PERIOD)))[COLUMNS]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ratio_line(label: str, ratios: list[float]) -> str:
    return f"{label}: median {statistics.median(ratios):.1f}× [{min(ratios):.1f}–{max(ratios):.1f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    for path, n_units in [(DB, N_UNITS)] + ([] if args.no_scaling else [(DB_4X, 4 * N_UNITS)]):
        if not path.exists() or args.rebuild:
            t0 = time.perf_counter()
            build(path, n_units)
            print(f"built {path.name} in {time.perf_counter() - t0:.1f} s")
    print(f"load average at start {load()}")
    con = connection.connect(DB, read_only=True)
    n = con.execute("SELECT count(*) FROM observation").fetchone()[0]
    print(f"observations: {n:,}  (indicators {N_IND} × units {N_UNITS} × months {N_MONTHS}), as of {PERIOD}")
    settings = Settings()
    dispatch_table(con, PERIOD, settings)  # warm-up
    history = read_history(con)  # C's history, read once
    ab, ac = [], []
    for i in range(args.pairs):
        t_a, ours = timed(lambda: dispatch_table(con, PERIOD, settings))
        t_b, theirs = timed(lambda: plain_pandas(con, None, settings))
        t_c, _ = timed(lambda: plain_pandas(con, history, settings))
        if i == 0:  # the same full table: every column, exactly
            assert len(ours) == N_IND * N_UNITS, len(ours)
            pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
            print(f"rows in the dispatch table: {len(ours):,} × {len(ours.columns)} columns; "
                  "A and B equal in every column")
        ab.append(t_b / t_a)
        ac.append(t_c / t_a)
        print(f"round {i + 1}: A ours {t_a * 1000:6.0f} ms · B plain pandas {t_b * 1000:6.0f} ms (B/A {t_b / t_a:4.1f}×)"
              f" · C pandas, history in memory {t_c * 1000:6.0f} ms (C/A {t_c / t_a:4.1f}×) · load {os.getloadavg()[0]:.2f}",
              flush=True)
    del history
    print(ratio_line("B/A (plain pandas / ours)", ab))
    print(ratio_line("C/A (history in memory / ours)", ac))
    if not args.no_scaling:
        big = connection.connect(DB_4X, read_only=True)
        n4 = big.execute("SELECT count(*) FROM observation").fetchone()[0]
        print(f"scaling: A on {n:,} vs {n4:,} observations ({4 * N_UNITS} units), interleaved")
        dispatch_table(big, PERIOD, settings)  # warm-up
        grow = []
        for i in range(args.pairs):
            t1, _ = timed(lambda: dispatch_table(con, PERIOD, settings))
            t4, rows4 = timed(lambda: dispatch_table(big, PERIOD, settings))
            grow.append(t4 / t1)
            print(f"round {i + 1}: A {n / 1e6:.1f} M {t1 * 1000:6.0f} ms · A {n4 / 1e6:.1f} M {t4 * 1000:6.0f} ms "
                  f"({len(rows4):,} rows; ×{t4 / t1:.2f}) · load {os.getloadavg()[0]:.2f}", flush=True)
        print(f"28.8 M / 7.2 M time (data ×{n4 / n:.0f}): median ×{statistics.median(grow):.2f} "
              f"[{min(grow):.2f}–{max(grow):.2f}] (linear: ×4)")
        big.close()
    print(f"load average at the end {load()}")
    con.close()


if __name__ == "__main__":
    main()
