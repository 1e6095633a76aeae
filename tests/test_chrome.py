"""Streamlit's chrome in Chinese: config, favicon, uploader checks, table paging, the
Plotly locale (pure parts; the browser test looks at the real page)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import streamlit
from coroutines import run_apart
from pagetest import ROOT, fresh_caches  # noqa: F401 (fixture)

from indicators import ui_chrome
from indicators.charts import ChartContext, export_config
from indicators.charts.locale_zh import DICTIONARY


def test_streamlit_config_hides_deploy_and_the_developer_menu():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["browser"]["gatherUsageStats"] is False


def test_streamlit_config_spares_each_run_a_full_collection_and_each_session_the_file_watchers():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"


def test_no_script_needs_streamlit_magic_which_is_off():
    """``runner.magicEnabled = false``: a bare expression in app.py or a page would no longer
    be shown, so there is none — only docstrings (which magic did not show either) and calls."""
    import ast
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) > 10
    shown = []
    for script in scripts:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)
            for i, stmt in enumerate(body if isinstance(body, list) else []):
                if not isinstance(stmt, ast.Expr) or isinstance(stmt.value, (ast.Call, ast.Await, ast.Yield,
                                                                             ast.YieldFrom)):
                    continue
                docstring = i == 0 and isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                                                         ast.ClassDef)) \
                    and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
                if not docstring:
                    shown.append(f"{script.name}:{stmt.lineno}")
    assert shown == []


def test_the_favicon_is_a_local_png():
    assert ui_chrome.FAVICON.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ":material/" not in (ROOT / "app.py").read_text(encoding="utf-8").split("set_page_config")[1].split("\n")[0]


@pytest.mark.parametrize("name,problem", [
    ("东城区.xlsx", None),
    ("东城区.XLS", None),
    ("东城区.csv", None),
    ("通知.docx", "「通知.docx」是「.docx」文件，这里只接受 .xlsx、.xlsm、.xls、.csv。请另存为其中一种格式后重新上传。"),
    ("README", "「README」是没有扩展名的文件，这里只接受 .xlsx、.xlsm、.xls、.csv。请另存为其中一种格式后重新上传。"),
])
def test_wrong_kind_of_upload_is_one_chinese_line(name, problem):
    assert ui_chrome.wrong_kind(name, ["xlsx", "xlsm", "xls", "csv"]) == problem


@pytest.mark.parametrize("n,page,rows", [
    (15, 1, (0, 15)), (16, 1, (0, 15)), (16, 2, (15, 16)), (40, 3, (30, 40)), (40, 9, (30, 40)), (40, 0, (0, 15)),
])
def test_briefing_pages_of_a_table(n, page, rows):
    s = ui_chrome.page_rows(n, page)
    assert (s.start, s.stop) == rows


@pytest.mark.parametrize("n,pages", [(0, 1), (1, 1), (15, 1), (16, 2), (45, 3), (46, 4)])
def test_page_count(n, pages):
    assert ui_chrome.page_count(n) == pages


def test_rows_height_shows_whole_rows():
    assert ui_chrome.rows_height(10) == 35 * 11 + 3
    assert ui_chrome.rows_height(0) == 35 * 2 + 3  # the "no rows" line still fits


def test_plotly_speaks_chinese_and_hides_its_mode_bar_in_briefing_mode():
    page = export_config("完成率", ChartContext(as_of="2026-10"))
    assert page["locale"] == "zh-CN" and page["locales"]["zh-CN"]["dictionary"] is DICTIONARY
    assert page["displayModeBar"] is True
    assert DICTIONARY["Download plot as a PNG"] == "下载图表（PNG 图片）" and DICTIONARY["Zoom"] == "缩放"
    assert export_config("完成率", ChartContext(as_of="2026-10", briefing=True))["displayModeBar"] is False


def test_streamlits_plotly_asks_only_for_strings_the_locale_has():
    """Every mode-bar string in the Plotly that Streamlit ships is translated."""
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    bundle = next(js.glob("PlotlyChart.*.js")).read_text(encoding="utf-8", errors="replace")
    asked = set(re.findall(r"\bl\(e,`([A-Z][^`]{1,80})`\)", bundle))
    assert "Download plot as a PNG" in asked
    assert asked - set(DICTIONARY) == set()


@pytest.mark.parametrize("asked,known,unknown", [
    ("", ["overview", "indicator"], None),  # the main page
    ("indicator", ["overview", "indicator"], None),
    ("no-such-page", ["overview", "indicator"], "no-such-page"),
    ("x.y", ["overview"], "x.y"),  # a dot or Chinese is no obstacle: a hidden page serves them too
    ("通知", ["overview"], "通知"),
    ("a/b", ["overview"], None),  # never asked: ui_chrome.FlatPaths sent the browser to /a
])
def test_unknown_page(monkeypatch, asked, known, unknown):
    monkeypatch.setattr(ui_chrome, "requested_page_name", lambda: asked)
    assert ui_chrome.unknown_page(known) == unknown


def test_not_found_page_renders_in_chinese(demo_db, monkeypatch):
    from pagetest import open_page
    at = open_page("pages/not_found.py", demo_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "页面不存在"
    assert "不存在（可能是旧书签或输入有误）" in at.warning[0].value


HTML = [(b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")]


@pytest.mark.parametrize("method,path,query,headers,target", [
    ("GET", "/a/b", b"", HTML, "/a"),  # a nested address: to its first part
    ("GET", "/indicator/old/bookmark", b"ind=GXQY", HTML, "/indicator?ind=GXQY"),  # the query is kept
    ("GET", "/通知/2026", b"", HTML, "/%E9%80%9A%E7%9F%A5"),
    ("HEAD", "/a/b/", b"", HTML, "/a"),
    ("GET", "/a", b"", HTML, None),  # one part: the router answers
    ("GET", "/", b"", HTML, None),
    ("GET", "/_stcore/stream", b"", HTML, None),  # Streamlit's own routes are left alone
    ("GET", "/static/js/index.js", b"", HTML, None),
    ("GET", "/app/static/logo.png", b"", HTML, None),
    ("GET", "/a/static/js/index.js", b"", [(b"accept", b"*/*")], None),  # not a page request
    ("GET", "/a/b", b"", [(b"accept", b"application/json")], None),
    ("POST", "/session/grant", b"", HTML, None),  # the session routes are POST
])
def test_nested_addresses_go_to_their_first_part(method, path, query, headers, target):
    scope = {"type": "http", "method": method, "path": path, "query_string": query, "headers": headers}
    assert ui_chrome.nested_target(scope) == target


def test_flat_paths_answers_a_nested_page_request_with_a_redirect():
    sent, passed = [], []

    async def app(scope, receive, send):
        passed.append(scope["path"])

    async def send(message):
        sent.append(message)

    async def run():
        mw = ui_chrome.FlatPaths(app)
        await mw({"type": "http", "method": "GET", "path": "/a/b", "query_string": b"", "headers": HTML}, None, send)
        await mw({"type": "http", "method": "GET", "path": "/indicator", "query_string": b"", "headers": HTML},
                 None, send)
    run_apart(run())
    assert sent[0]["status"] == 302 and (b"location", b"/a") in sent[0]["headers"]
    assert passed == ["/indicator"]


def test_serve_py_installs_flat_paths():
    assert "Middleware(FlatPaths)" in (ROOT / "serve.py").read_text(encoding="utf-8")


def test_html_table_has_every_column_and_row_as_text():
    """The table paper and briefing mode show (``ui_render.html_table``): header and every
    cell as text, escaped, «—» for an empty cell, numbers right-aligned, short cells kept on
    one line, the style of a cell on it."""
    import pandas as pd

    from indicators.ui_render import html_table
    frame = pd.DataFrame({"指标": ["高新技术企业数", "<b>x</b>"], "数值": [1490, 2.0],
                          "说明": [None, "部分汇总，缺：青溪县；待审核：含尚未审核通过的报送数值"]})
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles.iat[0, 0] = "color: red"
    out = html_table(frame, styles, cls="print-only")
    assert out == ('<div class="tbl-wrap print-only"><table class="tbl"><thead><tr><th class="short">指标</th>'
                   '<th class="short">数值</th><th class="short">说明</th></tr></thead><tbody>'
                   '<tr><td class="short" style="color: red">高新技术企业数</td><td class="num">1490</td>'
                   '<td class="short">—</td></tr>'
                   '<tr><td class="short">&lt;b&gt;x&lt;/b&gt;</td><td class="num">2</td>'
                   '<td>部分汇总，缺：青溪县；待审核：含尚未审核通过的报送数值</td></tr></tbody></table></div>')


def test_a_grids_text_columns_are_as_wide_as_their_longest_text():
    """A grid sizes its columns by the rows first in view; a text column whose longest
    text lies below the first SIZED_ROWS (10) gets that text's width — 14 px a CJK
    character or full-width mark, 7 px others, 16 px of padding, at most 480, at least its
    header and 12 px of sort mark — so "部分汇总，缺：青溪县" is never cut to "部分汇…",
    nor "3,423.22 亿元" to "3,423.22 亿"; the other columns keep the grid's width."""
    import pandas as pd

    from indicators.ui_chrome import text_widths
    n = 12
    frame = pd.DataFrame({"指标": ["高新技术企业数"] + ["甲"] * (n - 1),
                          "本期值": ["63 人"] * (n - 1) + ["3,423.22 亿元"],
                          "完成率": [0.5] * n, "说明": [None] * (n - 1) + ["部分汇总，缺：青溪县"]})
    assert text_widths(frame) == (("本期值", 9 * 7 + 2 * 14 + 16), ("说明", 10 * 14 + 16))
    notes = frame.assign(说明=[None] * (n - 1) + ["缺：A"])
    assert dict(text_widths(notes))["说明"] == 2 * 14 + 12 + 16  # the header's width: 说明 and its sort mark
    assert dict(text_widths(frame.assign(说明=[None] * (n - 1) + ["缺：" + "某某县、" * 40])))["说明"] == 480
    assert "说明" not in dict(text_widths(frame.assign(说明=[None] * (n - 1) + [""])))  # nothing to show
    assert "说明" not in dict(text_widths(frame.assign(说明=["部分汇总，缺：青溪县"] + [None] * (n - 1))))  # in view
    assert "x" not in dict(text_widths(frame.assign(x=[["a"]] * n)))  # lists: the grid shows them itself


def test_print_stylesheet_hides_the_grid_and_shows_its_copy():
    print_rules = ui_chrome.PRINT_CSS
    assert '[data-testid="stElementContainer"]:has([data-testid="stDataFrame"])' in print_rules
    assert '[data-testid="stElementContainer"]:has(.tbl-wrap.print-only) { display: block !important; }' in print_rules
    assert '[data-testid="stElementContainer"]:has(.tbl-wrap.print-only) { display: none; }' in ui_chrome.TABLE_CSS
