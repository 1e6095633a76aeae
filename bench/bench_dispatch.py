"""Benchmark: the dispatch table for one month over 300 indicators × 200 units × 120 months.

    .venv/bin/python bench/bench_dispatch.py [--keep]

Builds (once, in bench/out/) a DuckDB file with 7.2 M observations — every unit of a
three-level tree reports every indicator every month for 2021-01 … 2030-12 — then, in
one run, times:
  A. ``dispatch_table`` — our path: DuckDB picks the needed months out of the history,
     the pure DESIGN §4 rules run on the small result;
  B. plain pandas — read the observation history into a DataFrame, pick the months
     with pandas, then the same rules;
  C. plain pandas with the history already in memory (pick + rules only), for honesty.
Each is run several times; the median counts. Prints the ratios.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from indicators.db import catalog, connection  # noqa: E402
from indicators.dispatch import compute_dispatch, dispatch_table, needed_periods  # noqa: E402
from indicators.settings import Settings  # noqa: E402

N_IND, N_UNITS, N_MONTHS = 300, 200, 120
PERIOD = "2030-10"
DB = ROOT / "out" / "dispatch_bench.duckdb"


def build(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = connection.connect(path, create=True)
    # tree: 1 city, 19 districts, 180 towns (ten per district except the last)
    con.execute("""INSERT INTO org_unit (code, name, parent_code, level, sort_order)
        SELECT 'U' || lpad(u::VARCHAR, 3, '0'), '单位' || u,
               CASE WHEN u = 0 THEN NULL WHEN u < 20 THEN 'U000'
                    ELSE 'U' || lpad((1 + (u - 20) // 10)::VARCHAR, 3, '0') END,
               CASE WHEN u = 0 THEN 0 WHEN u < 20 THEN 1 ELSE 2 END, u
        FROM range(?) t(u)""", [N_UNITS])
    con.execute("""INSERT INTO indicator (code, name, unit, kind, frequency, sort_order)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), '指标' || i, '万元',
               CASE WHEN i % 10 < 6 THEN 'cumulative' WHEN i % 10 < 9 THEN 'stock' ELSE 'ratio' END,
               CASE WHEN i % 25 = 0 THEN 'quarterly' ELSE 'monthly' END, i
        FROM range(?) t(i)""", [N_IND])
    con.execute("INSERT INTO batch (id, file_name, rows) VALUES (1, 'bench', ?)", [N_IND * N_UNITS * N_MONTHS])
    con.execute("""INSERT INTO observation (indicator_code, org_unit, period, value, batch_id)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), 'U' || lpad(u::VARCHAR, 3, '0'),
               printf('%04d-%02d', 2021 + m // 12, m % 12 + 1),
               CASE WHEN i % 10 < 6 THEN (m % 12 + 1) * (100 + (i * 7 + u * 13) % 50) * (1 + 0.1 * random())
                    ELSE 1000 + m * 3 + (i + u) % 100 + 10 * random() END,
               1
        FROM range(?) t(i), range(?) s(u), range(?) r(m)""", [N_IND, N_UNITS, N_MONTHS])
    con.execute("""INSERT INTO target (indicator_code, org_unit, year, value)
        SELECT 'I' || lpad(i::VARCHAR, 3, '0'), 'U' || lpad(u::VARCHAR, 3, '0'), 2030,
               CASE WHEN i % 10 < 6 THEN 1400 * (100 + (i * 7 + u * 13) % 50) ELSE 1400 + (i + u) % 100 END
        FROM range(?) t(i), range(?) s(u)""", [N_IND, N_UNITS])
    con.execute("CHECKPOINT")
    con.close()


def pandas_pick(history: pd.DataFrame, need: pd.DataFrame) -> pd.DataFrame:
    pairs = need[["indicator_code", "period"]].drop_duplicates()
    return history.merge(pairs, on=["indicator_code", "period"], how="inner")


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    if not DB.exists() or "--rebuild" in sys.argv:
        t0 = time.perf_counter()
        build(DB)
        print(f"built {DB} in {time.perf_counter() - t0:.1f} s")
    con = connection.connect(DB, read_only=True)
    n = con.execute("SELECT count(*) FROM observation").fetchone()[0]
    print(f"observations: {n:,}  (indicators {N_IND} × units {N_UNITS} × months {N_MONTHS})")
    settings = Settings()
    dispatch_table(con, PERIOD, settings)  # warm-up

    t_ours, ours = median_time(lambda: dispatch_table(con, PERIOD, settings), 5)

    units, inds = catalog.org_units(con), catalog.indicators(con)
    targets = catalog.current_targets(con, 2030)
    need = needed_periods(inds, PERIOD)

    def plain_pandas():
        history = con.execute("SELECT indicator_code, org_unit, period, value, batch_id FROM current_observation").df()
        return compute_dispatch(pandas_pick(history, need), units, inds, targets, need, PERIOD, settings)

    t_pandas, theirs = median_time(plain_pandas, 3)
    history = con.execute("SELECT indicator_code, org_unit, period, value, batch_id FROM current_observation").df()
    t_mem, _ = median_time(
        lambda: compute_dispatch(pandas_pick(history, need), units, inds, targets, need, PERIOD, settings), 3)

    assert len(ours) == len(theirs) == N_IND * N_UNITS, (len(ours), len(theirs))
    pd.testing.assert_series_equal(ours["completion"], theirs["completion"], check_names=False)
    print(f"rows in the dispatch table: {len(ours):,}")
    print(f"A ours (DuckDB pick + rules):              {t_ours * 1000:8.0f} ms")
    print(f"B plain pandas (read history + pick + rules): {t_pandas * 1000:8.0f} ms   ratio B/A = {t_pandas / t_ours:5.1f}×")
    print(f"C pandas, history already in memory:        {t_mem * 1000:8.0f} ms   ratio C/A = {t_mem / t_ours:5.1f}×")
    con.close()


if __name__ == "__main__":
    main()
