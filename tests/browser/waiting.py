"""Waiting on the app's state in a real browser — never on the clock, so a loaded machine
runs a test later, never differently."""

from __future__ import annotations

# ---------------------------------------------------------------- waiting on the app's state

# an upper bound, never a pause: on a 2-core machine shared by several test runs a heavy
# page's script can take this long, and a wait on state returns as soon as it is there
PATIENCE = 120_000


def wait_idle(page, timeout: int = PATIENCE) -> None:
    """The app is connected and its script run has finished (Streamlit's own attributes
    on stApp). After a click, wait for what the click should change (``expect``) first:
    the run it starts may not have begun yet."""
    for selector in ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]',
                     '[data-testid="stApp"][data-test-script-state="notRunning"]'):
        page.wait_for_selector(selector, state="attached", timeout=timeout)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def settle(page) -> None:
    """Two animation frames: the layout after a resize has been drawn."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def full_shot(page, path, width: int | None = None) -> None:
    """The app scrolls inside its own container: grow the viewport to the content first."""
    width = width or page.viewport_size["width"]
    h = page.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 1000")
    page.set_viewport_size({"width": width, "height": min(int(h) + 40, 6000)})
    settle(page)
    page.screenshot(path=str(path))


# ---------------------------------------------------------------- signing in

def sign_in(page, url: str, login: str, password: str | None = None) -> None:
    """Open ``url`` signed out, sign in as ``login`` (a demo account unless ``password``)
    and wait for the page asked for to run under that user."""
    from indicators.demo.accounts import DEMO_PASSWORD
    page.goto(url)
    wait_idle(page)
    page.get_by_role("textbox", name="登录名").fill(login)
    page.get_by_role("textbox", name="密码").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    # attached, not visible: briefing mode hides the sidebar
    page.locator('[data-testid="stSidebar"]').get_by_text("已登录：").wait_for(state="attached", timeout=PATIENCE)
    wait_idle(page)
    wait_for_cookie(page)


def wait_for_cookie(page, present: bool = True, timeout: int = PATIENCE) -> None:
    """The browser holds the session cookie (or, ``present=False``, no longer does): the
    page fetches it after the run that signed in or out (``ui.cookie_sync``), so a
    ``goto`` before that fetch has answered opens the next page in the old state — on a
    loaded machine, a test then waits in vain for a page it is not allowed to see."""
    from indicators.accounts.sessions import COOKIE_NAME
    for _ in range(timeout // 100):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()) == present:
            return
        page.wait_for_timeout(100)  # polling the browser's cookie jar: returns as soon as it is set
    raise AssertionError(f"{COOKIE_NAME} {'not set' if present else 'still set'} {timeout} ms after signing "
                         f"{'in' if present else 'out'}")


def sign_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=PATIENCE)
    wait_idle(page)
    wait_for_cookie(page, present=False)
