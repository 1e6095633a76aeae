"""Time to first chart per page in a real browser, against a bare Streamlit page with one
Plotly chart (DESIGN §8: aim ≤ 1.5×). Writes the "## Page benchmark" section of
bench/README.md (other sections are left as they are).

    .venv/bin/python bench/bench_pages.py [--runs 7]

Both apps run as `streamlit run` on free localhost ports of this machine, the dispatch
app against the demo city (`indicators init --demo`). Each measurement is a fresh browser
context (a new Streamlit session) on an already-started server: navigation start →
the first Plotly chart has drawn its SVG. The median of the runs counts."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_app,
    stop_app,
    wait_healthy,
)

OUT = ROOT / "bench" / "out"
BARE = '''import plotly.graph_objects as go
import streamlit as st
st.set_page_config(layout="wide", page_title="bare")
st.title("bare")
fig = go.Figure(go.Bar(x=[f"{m}月" for m in range(1, 13)], y=list(range(12))))
st.plotly_chart(fig, width="stretch")
'''
PAGES = [("调度总览", ""), ("指标详情", "indicator"), ("责任分解", "responsibility")]


def first_chart_ms(browser, url: str) -> float:
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        return page.evaluate("performance.now()")
    finally:
        ctx.close()


def measure(browser, url: str, runs: int) -> float:
    first_chart_ms(browser, url)  # warm-up: server caches, module imports
    return statistics.median(first_chart_ms(browser, url) for _ in range(runs))


def write_readme(rows: list[tuple[str, float, float]], bare: float, runs: int) -> None:
    readme = ROOT / "bench" / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    import plotly
    import streamlit
    lines = ["## Page benchmark", "",
             "    .venv/bin/python bench/bench_pages.py            # --runs N (default 7)", "",
             "Time from navigation start to the first drawn Plotly chart in headless Debian chromium",
             "(Playwright), fresh browser session per run on an already-started server, median of",
             f"{runs} runs. The baseline is a bare Streamlit page with one Plotly chart; the dispatch",
             "pages run against the demo city (`indicators init --demo`). Target: ≤ 1.5× the baseline.", "",
             "| page | first chart | vs. bare page |", "|---|---|---|",
             f"| bare Streamlit page, one Plotly chart | {bare:,.0f} ms | 1.00× |"]
    for name, ms, ratio in rows:
        lines.append(f"| {name} | {ms:,.0f} ms | **{ratio:.2f}×** |")
    lines += ["", f"Measured {time.strftime('%Y-%m-%d')} on this machine (streamlit {streamlit.__version__}, "
              f"plotly {plotly.__version__}).", ""]
    section = "\n".join(lines)
    pattern = re.compile(r"^## Page benchmark\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    readme.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "pages_demo.duckdb"
    if not db.exists():
        subprocess.run([str(Path(sys.executable).parent / "indicators"), "init", "--demo", "--db", str(db)], check=True)
    bare_py = OUT / "bare_app.py"
    bare_py.write_text(BARE, encoding="utf-8")
    env = {**os.environ, "INDICATORS_DB": str(db)}
    ports = free_port(), free_port()
    procs = [start_app(ROOT / "app.py", env, ports[0]), start_app(bare_py, dict(os.environ), ports[1])]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for proc, url in zip(procs, urls):
            wait_healthy(proc, url)
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            bare = measure(browser, urls[1], args.runs)
            rows = []
            for name, path in PAGES:
                ms = measure(browser, f"{urls[0]}/{path}", args.runs)
                rows.append((name, ms, ms / bare))
                print(f"{name}: {ms:,.0f} ms ({ms / bare:.2f}× bare {bare:,.0f} ms)", flush=True)
            browser.close()
    finally:
        for proc in procs:
            stop_app(proc)
    write_readme(rows, bare, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
