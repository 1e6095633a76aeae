"""Tables on paper and on the briefing screen (issue 16): Streamlit's grid draws on a canvas
only the columns in view, so a printed 调度总览 lost its lagging list's right columns and a
briefing 责任分解 scrolled sideways. Printed, every table is its HTML copy (all columns and
rows, the grid hidden); in briefing mode every table is HTML that fits the screen."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from apps import BIN
from playwright.sync_api import expect
from testdate import AS_OF, SETTINGS
from waiting import PATIENCE, full_shot, sign_in, wait_idle

from indicators import views
from indicators.accounts import permissions
from indicators.db import connection
from indicators.dispatch import dispatch_table

pytestmark = pytest.mark.browser
HIDDEN = ("status", "gap_pp", "code")


@pytest.fixture(scope="module")
def lagging(tmp_path_factory):
    """The demo city's lagging list as 调度总览 shows it, from a demo city of its own (the
    app's database is open in the app's process)."""
    path = tmp_path_factory.mktemp("print") / "demo.duckdb"
    cli = shutil.which("indicators", path=str(BIN)) or "indicators"
    subprocess.run([cli, "init", "--demo", "--db", str(path)], check=True, capture_output=True, timeout=300)
    con = connection.connect(path)
    try:
        frame = views.lagging_list(dispatch_table(con, AS_OF, SETTINGS))
    finally:
        con.close()
    return frame.drop(columns=[c for c in HIDDEN if c in frame.columns])


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_printed_overview_has_every_column_and_row_of_the_lagging_list(page, app_url, artifacts, lagging, tmp_path):
    assert list(lagging.columns)[-2:] == ["牵头科室", "分管领导"]  # what was cut off on paper
    page.goto(app_url)
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PATIENCE)
    page.emulate_media(media="print")
    grids = page.locator('[data-testid="stDataFrame"]')
    # the lagging list, the ranking, completeness: drawn after the first chart (on a loaded
    # machine the last one can still be on its way when the chart is)
    expect(grids.nth(2)).to_be_attached(timeout=PATIENCE)
    for i in range(grids.count()):  # the canvas grids are not printed ...
        expect(grids.nth(i)).to_be_hidden()
    copy = page.locator(".tbl-wrap.print-only").first  # ... their copies are: the lagging list first
    expect(copy).to_be_visible()
    assert copy.locator("th").all_inner_texts() == list(lagging.columns)
    assert copy.locator("tbody tr").count() == len(lagging)
    pdf = tmp_path / "overview.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    shutil.copy(pdf, artifacts / "print_overview.pdf")
    text = squeezed(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "滞后指标清单（按差距排序）" in text and "牵头科室" in text and "分管领导" in text
    last = lagging.iloc[-1]
    for column in ("指标", "单位", "差距", "牵头科室", "分管领导"):
        assert squeezed(str(last[column])) in text, (column, last[column])
    page.emulate_media(media="screen")
    expect(grids.first).to_be_visible()  # on screen the grid again, the copy hidden
    expect(copy).to_be_hidden()


@pytest.mark.parametrize("path,least", [("responsibility", 3), ("tasks", 1), ("", 3)])
def test_briefing_tables_show_every_column(browser, app_url, artifacts, path, least):
    """责任分解's per-department tables (they scrolled sideways), the task board (12 columns)
    and 调度总览's tables fit a 1920-pixel screen: no table wider than its box, no header
    beyond the screen's right edge."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, f"{app_url}/{path}?briefing=1", "leader")
        wait_idle(page)
        page.wait_for_selector(".tbl-wrap table", timeout=PATIENCE)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no grid to scroll sideways
        tables = page.locator(".tbl-wrap:visible")
        assert tables.count() >= least  # 责任分解: the summary, then each department's indicators and tasks
        for i in range(tables.count()):
            box = tables.nth(i).evaluate("""t => ({scroll: t.scrollWidth, client: t.clientWidth,
                right: Math.max(...[...t.querySelectorAll('th')].map(h => h.getBoundingClientRect().right))})""")
            assert box["scroll"] <= box["client"] and box["right"] <= 1920, (i, box)
        if path == "responsibility":
            heads = tables.nth(1).locator("th").all_inner_texts()  # a department's indicators
            assert heads[0] == "指标" and heads[-1] == "区县说明", heads
        full_shot(page, artifacts / f"briefing_tables_{path or 'overview'}.png", width=1920)
    finally:
        context.close()


def test_role_table_shows_what_each_role_may_do(page, app_url):
    """我的账户's 角色与权限: the long 可做 text wraps in its cell instead of being cut."""
    page.goto(f"{app_url}/account")
    wait_idle(page)
    table = page.locator(".tbl-wrap table").first
    expect(table).to_be_visible()
    cell = table.locator("tbody tr").first.locator("td").last
    assert cell.inner_text() == permissions.can_do_text("admin")
    fit = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    assert fit
