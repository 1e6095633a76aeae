"""Chinese everywhere a user looks, and nothing fetched from outside this machine: every
page in a real browser (and the dispatch pages in briefing mode) shows none of
Streamlit's or Plotly's English UI strings and sends no request to another host; a
mistyped address (a nested one, one with a dot) and a wrong file type are answered in
Chinese; the keyboard skip link and the too-large tooltip are Chinese."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from waiting import wait_idle

pytestmark = pytest.mark.browser

PAGES = ["", "indicator", "responsibility", "tasks", "explain", "upload", "batches", "review", "report", "send",
         "setup", "task_plan", "users", "account"]  # every page of the menu
BRIEFING = ["", "indicator", "responsibility"]
# what Streamlit 1.67 and its Plotly draw in English when left alone
ENGLISH = ["Deploy", "Upload", "per file", "Browse files", "Drag and drop", "Page not found", "Running the app",
           "Download plot", "Zoom", "Pan", "Autoscale", "Reset axes", "files are not allowed", "or smaller",
           "Rerun", "Clear cache", "Record a screencast", "Made with Streamlit", "Error:", "Traceback",
           "CalamineError", "BadZipFile", "Skip to main content", "File must be", "Connection error",
           "Please try again", "View 4 more", "View less",  # (the admin's 14 pages, collapsed to 10)
           "No options to select"]  # an empty list (Streamlit keeps «Choose an option» as the placeholder
                                    # of every list, shown only while nothing is chosen: none of ours is)
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture
def watched(page):
    """The page, and every request it sends that leaves this machine."""
    outside: list[str] = []

    def note(request):
        u = urlparse(request.url)
        if u.scheme not in ("data", "blob", "about") and u.hostname not in LOCAL:
            outside.append(request.url)
    page.on("request", note)
    return page, outside


def visible_text(page) -> str:
    """What a reader sees, plus the tooltips of Plotly's mode bar and the grey placeholder
    texts of inputs and lists (not part of the page's text: an empty list's «No options to
    select» is one)."""
    body = page.locator("body").inner_text()
    titles = page.eval_on_selector_all(".modebar-btn", "els => els.map(e => e.getAttribute('data-title') || '')")
    hints = page.eval_on_selector_all("[placeholder]", "els => els.map(e => e.getAttribute('placeholder'))")
    return "\n".join([body, *titles, *hints])


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


@pytest.mark.parametrize("briefing", [False, True])
def test_no_english_ui_strings_and_no_request_leaves_the_machine(watched, app_url, briefing):
    page, outside = watched
    found = {}
    for path in (BRIEFING if briefing else PAGES):
        page.goto(f"{app_url}/{path}" + ("?briefing=1" if briefing else ""))
        wait_idle(page)
        page.wait_for_timeout(500)  # late chrome (toolbar, favicon) has come
        if path in ("", "indicator") and not briefing:
            page.wait_for_selector(".modebar-btn", state="attached")
            titles = page.eval_on_selector_all(".modebar-btn", "els => els.map(e => e.getAttribute('data-title'))")
            assert "下载图表（PNG 图片）" in titles, titles
        if briefing and path in ("", "indicator"):
            page.wait_for_selector(".js-plotly-plot", state="attached")
            assert page.locator(".modebar-btn").count() == 0  # no mode bar on a slide picture
        bad = english_in(visible_text(page))
        if bad:
            found[path or "/"] = bad
    assert found == {}
    assert outside == []


def test_a_mistyped_address_gets_a_chinese_page(watched, app_url):
    page, outside = watched
    page.goto(f"{app_url}/no-such-page")
    wait_idle(page)
    page.get_by_text("网址中的页面「/no-such-page」不存在").wait_for()
    text = visible_text(page)
    assert english_in(text) == [] and page.locator('[role="dialog"]').count() == 0
    page.get_by_role("link", name="打开调度总览").last.click()
    page.get_by_role("heading", name="调度总览").wait_for()
    assert outside == []


@pytest.mark.parametrize("path,shown", [("/a/b", "/a"), ("/x.y", "/x.y"), ("/%E9%80%9A%E7%9F%A5", "/通知")])
def test_any_address_that_is_no_page_gets_the_chinese_page(watched, app_url, path, shown):
    """Streamlit alone: /a/b is a blank page (its scripts fetched from /a/static/…), /x.y
    its English "Page not found" dialog."""
    page, outside = watched
    page.goto(f"{app_url}{path}")
    wait_idle(page)
    page.get_by_text(f"网址中的页面「{shown}」不存在").wait_for()
    page.wait_for_timeout(500)
    assert english_in(visible_text(page)) == [] and page.locator('[role="dialog"]').count() == 0
    assert outside == []


def test_the_skip_link_and_the_too_large_tooltip_are_chinese(page, app_url):
    page.goto(f"{app_url}/indicator")
    wait_idle(page)
    assert page.locator('[data-testid="stSkipToContent"]').evaluate("e => getComputedStyle(e).display") == "none"
    link = page.locator("a.skip-zh")
    assert link.inner_text() == "跳到主要内容" and link.get_attribute("href") == "#stMain"
    link.focus()
    assert page.evaluate("() => document.activeElement.textContent") == "跳到主要内容"
    assert link.evaluate("e => e.getBoundingClientRect().top") >= 0  # shown while it has the focus
    # the tooltip Streamlit draws over a refused file chip (its DOM, as Streamlit 1.67 writes it)
    content = page.evaluate("""() => {
        const tip = document.createElement('div');
        tip.setAttribute('data-testid', 'stTooltipErrorContent');
        tip.textContent = 'File must be 200.0MB or smaller.';
        document.body.appendChild(tip);
        return [tip.innerText, getComputedStyle(tip, '::after').content]; }""")
    assert content[0].strip() == "" and "该文件未上传：单个文件不超过" in content[1], content


def test_a_wrong_file_type_is_refused_in_chinese(page, app_url, tmp_path):
    wrong = tmp_path / "会议通知.docx"
    wrong.write_bytes(b"PK\x03\x04 not really a report")
    page.goto(f"{app_url}/upload")
    wait_idle(page)
    page.wait_for_selector('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]')
    drawn = page.evaluate("""() => {
        const z = document.querySelector('[data-testid="stFileUploaderDropzone"]');
        const after = sel => getComputedStyle(z.querySelector(sel), '::after').content;
        return [after('button [data-testid="stMarkdownContainer"]'),
                after('[data-testid="stFileUploaderDropzoneInstructions"] > div')]; }""")
    assert drawn[0] == '"选择文件"' and re.search(r"单个文件不超过 \d+ MB", drawn[1]), drawn  # Streamlit's text is hidden
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(wrong))
    page.get_by_text("「会议通知.docx」是「.docx」文件，这里只接受 .xlsx、.xlsm、.xls、.csv、.txt").wait_for()
    wait_idle(page)
    assert english_in(visible_text(page)) == []
