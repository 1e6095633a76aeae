"""Time to first chart per page in a real browser against a bare Streamlit page with one
Plotly chart, the two timed in the same loop (issue 15: ≤ 1.3× on the demo db, ≤ 1.6× on
the 7.2 M-observation db, also after changing month or unit).

    .venv/bin/python bench/bench_pages.py [--pairs 5] [--db demo|big|both] [--cases open,another month,another unit] [--rev REV]

The app (``serve.py``) and the bare page run as ``streamlit run`` on free localhost ports
of this machine; the app on the demo city (``indicators init --demo``) and on a copy of
the dispatch benchmark's database (bench/out/dispatch_bench.duckdb, with the demo's
admin account added). Each measurement is a fresh browser context (a new Streamlit session,
signed in by its session cookie): navigation start → the first Plotly chart has drawn
its SVG. Per pair and page: A = the bare page, B = the page; then A, B on a month this
server has not shown yet (``?month=``), then A, B on a unit not shown yet (``?unit=``).
Prints each pair, the median B / A ratio with its min–max per page and case, the load
average, and the app server's resident memory before and after (every month viewed
stays in its caches, bounded)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "src"))
from apps import free_port, start_app, stop_app, wait_healthy  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
OUT = ROOT / "bench" / "out"
BARE = '''import plotly.graph_objects as go
import streamlit as st
st.set_page_config(layout="wide", page_title="bare")
st.title("bare")
fig = go.Figure(go.Bar(x=[f"{m}月" for m in range(1, 13)], y=list(range(12))))
st.plotly_chart(fig, width="stretch")
'''
PAGES = [("调度总览", ""), ("指标详情", "indicator"), ("责任分解", "responsibility")]
CASES = ("open", "another month", "another unit")
# the day each database is looked at (the page opens on the latest due month)
TODAY = {"demo": "2026-12-01", "big": "2030-11-20"}
PATIENCE = 180_000


def demo_db() -> Path:
    db = OUT / "pages_demo.duckdb"
    if not db.exists():
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "init", "--demo", "--db", str(db)],
                       check=True, env={**os.environ, "INDICATORS_TODAY": TODAY["demo"]})
    return db


def big_db() -> Path:
    """A copy of the dispatch benchmark's database with the demo's accounts (it has none)."""
    db, source = OUT / "pages_big.duckdb", OUT / "dispatch_bench.duckdb"
    if not db.exists():
        if not source.exists():
            raise SystemExit(f"{source} missing: cp /work/main/bench/out/dispatch_bench.duckdb bench/out/ "
                             "(or run bench/bench_dispatch.py)")
        shutil.copyfile(source, db)
        import datetime as dt

        from indicators.accounts import operator
        from indicators.db import connection
        from indicators.accounts import users
        from indicators.demo.accounts import DEMO_PASSWORD
        with connection.connect(str(db)) as con:
            users.add_user(con, operator(), "admin", "admin", name="系统管理员", password=DEMO_PASSWORD,
                           at=dt.datetime(2030, 11, 1, 9, 0))
    return db


def choices(db: Path, today: str) -> tuple[str, list[str], list[str]]:
    """The month the pages open on (``rules.due.latest_due_month`` of ``today``), the other
    months before it with data to change to, newest first, and units (districts first)."""
    import datetime as dt

    from indicators.db import connection
    from indicators.rules.due import latest_due_month
    from indicators.settings import Settings
    opening = latest_due_month(dt.date.fromisoformat(today), Settings().deadline_day)
    with connection.connect(str(db), read_only=True) as c:
        months = [r[0] for r in c.execute("SELECT DISTINCT period FROM current_observation ORDER BY 1 DESC")
                  .fetchall() if r[0] < opening]
        units = [r[0] for r in c.execute("SELECT code FROM org_unit WHERE level > 0 ORDER BY level, code").fetchall()]
    return opening, months, units


def rss_mib(pid: int) -> float:
    """Resident memory of the server process and its children (MiB)."""
    total = 0
    for p in [pid] + [int(x) for x in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                       text=True).stdout.split()]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def first_chart_ms(browser, url: str, state: dict | None = None) -> float:
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN", storage_state=state)
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PATIENCE)
        return page.evaluate("performance.now()")
    finally:
        ctx.close()


def signed_in_state(browser, url: str) -> dict:
    from waiting import sign_in
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(PATIENCE)
    sign_in(page, url, "admin")
    state = ctx.storage_state()
    ctx.close()
    return state


def bench_db(browser, name: str, db: Path, bare_url: str, pairs: int, tree: Path, cases: list[str]) -> list[tuple]:
    env = {**os.environ, "INDICATORS_DB": str(db), "INDICATORS_TODAY": TODAY[name], "PYTHONPATH": str(tree / "src")}
    port = free_port()
    proc = start_app(tree / "serve.py", env, port)
    url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        wait_healthy(proc, url)
        state = signed_in_state(browser, url)
        for _, path in PAGES:  # warm-up: module imports, the opening month's caches
            first_chart_ms(browser, f"{url}/{path}", state)
        rss_before = rss_mib(proc.pid)
        opening, months, units = choices(db, TODAY[name])
        seen = {opening}  # the warm-up showed it: "another month" is always one not shown yet
        results = {(page, case): [] for page, _ in PAGES for case in cases}
        for n in range(pairs):
            line = []
            for p, (page, path) in enumerate(PAGES):
                k = n * len(PAGES) + p
                month, unit = months[k % len(months)], units[k % len(units)]
                seen.add(month)
                for case, query in zip(CASES, ("", f"?month={month}", f"?unit={unit}")):
                    if case not in cases:
                        continue
                    a = first_chart_ms(browser, bare_url)
                    b = first_chart_ms(browser, f"{url}/{path}{query}", state)
                    results[(page, case)].append((a, b))
                    line.append(f"{page} {case[:7]} {a:,.0f}/{b:,.0f}")
            print(f"{name} pair {n + 1} (bare/page ms): " + " · ".join(line), flush=True)
        rss_after = rss_mib(proc.pid)
        for (page, case), ab in results.items():
            ratios = [b / a for a, b in ab]
            rows.append((name, page, case, statistics.median(a for a, _ in ab), statistics.median(b for _, b in ab),
                         statistics.median(ratios), min(ratios), max(ratios)))
        rows.append((name, rss_before, rss_after, len(seen)))
    finally:
        stop_app(proc)
    return rows


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally) when killed
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--db", choices=("demo", "big", "both"), default="both")
    ap.add_argument("--cases", default=",".join(CASES), help=f"some of {','.join(CASES)}")
    ap.add_argument("--rev", default=".", help="the app of this git revision (default: the work tree)")
    args = ap.parse_args()
    tree = ROOT
    # the commit, named when exported (a branch may move while the benchmark runs)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD" if args.rev == "." else args.rev],
                            capture_output=True, text=True).stdout.strip()
    if args.rev != ".":  # its serve.py, app.py, pages/ and src/, exported beside bench/out
        tree = OUT / "pages_rev"
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev, "serve.py", "app.py", "pages", "src",
                                  ".streamlit"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    dbs = [(n, f()) for n, f in (("demo", demo_db), ("big", big_db)) if args.db in (n, "both")]
    bare_py = OUT / "bare_app.py"
    bare_py.write_text(BARE, encoding="utf-8")
    bare_port = free_port()
    bare = start_app(bare_py, dict(os.environ), bare_port)
    bare_url = f"http://127.0.0.1:{bare_port}"
    out = []
    try:
        wait_healthy(bare, bare_url)
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first_chart_ms(browser, bare_url)  # warm-up
            for name, db in dbs:
                out.append(bench_db(browser, name, db, bare_url, args.pairs, tree, args.cases.split(",")))
            browser.close()
    finally:
        stop_app(bare)
    import plotly
    import streamlit
    print(f"\napp = {args.rev} ({commit}{' + work tree' if args.rev == '.' else ''}); {args.pairs} interleaved pairs (A = bare Streamlit + Plotly page, B = the page); load average "
          f"{os.getloadavg()[0]:.2f} at the end; streamlit {streamlit.__version__}, plotly {plotly.__version__}")
    print("| db | page | case | bare median | page median | page / bare median [min–max] |")
    print("|---|---|---|---|---|---|")
    for rows in out:
        for name, page, case, a, b, med, lo, hi in rows[:-1]:
            print(f"| {name} | {page} | {case} | {a:,.0f} ms | {b:,.0f} ms | {med:.2f}× [{lo:.2f}–{hi:.2f}] |")
    for rows in out:
        name, before, after, months = rows[-1]
        print(f"{name}: app server RSS {before:,.0f} MiB after the warm-up, {after:,.0f} MiB after {months} months viewed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
