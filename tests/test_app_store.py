"""The web app and the embedded DuckDB file: the app holds the file only while a page
runs and serves unchanged data from its caches, so commands work next to it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import testdate
from coroutines import run_apart
from pagetest import fresh_caches, open_page  # noqa: F401 - fresh_caches clears Streamlit's caches
from test_uploads import long_return

from indicators import ui_data
from indicators.db import shared_file
from indicators.rules import periods

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))


def _take_for_writing(path) -> subprocess.CompletedProcess:
    """Open the file read-write from another process at once, as `indicators import` would."""
    code = f"import duckdb; duckdb.connect({str(path)!r}).close(); print('free')"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_app_lets_go_of_the_file_when_a_run_ends(demo_db, monkeypatch):
    at = open_page("pages/overview.py", demo_db, monkeypatch)
    assert not at.exception and at.title
    out = _take_for_writing(demo_db)
    assert out.stdout.strip() == "free", out.stderr


def test_a_rerun_on_unchanged_data_does_not_open_the_file(demo_db, monkeypatch):
    opened = []
    real = ui_data.connection.connect
    monkeypatch.setattr(ui_data.connection, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    at = open_page("pages/responsibility.py", demo_db, monkeypatch)
    assert not at.exception and opened  # the first run read the database
    opened.clear()
    at.run()
    assert not at.exception and at.title[0].value == "责任分解"
    assert opened == []  # served from the caches: the file's mtime and size had not changed


def _late_return(tmp_path) -> Path:
    path = tmp_path / "青溪县.xlsx"
    title = f"示例市 {periods.label(testdate.AS_OF)} 科技重点指标报送表"
    path.write_bytes(long_return([(testdate.AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 14.5)], title=title))
    return path


def test_commands_read_and_write_next_to_the_running_app(demo_db, tmp_path):
    """A real server with sessions clicking through pages; meanwhile `status` and an
    import run as commands — and the next page run shows the imported value."""
    from cluster import Cluster
    from stclient import Session

    from indicators.demo.accounts import DEMO_PASSWORD

    env = {**os.environ, "INDICATORS_LOCK_WAIT": "60"}
    with Cluster(replicas=1, db=str(demo_db), proxy=False, log_dir=tmp_path) as app:
        errors, stop = [], threading.Event()

        async def browse():
            sessions = [Session(app.url) for _ in range(3)]
            for s in sessions:
                await s.open()
                await s.sign_in("admin", DEMO_PASSWORD)
            while not stop.is_set():
                for run in await asyncio.gather(*(s.run(f"month={testdate.AS_OF}") for s in sessions)):
                    errors.extend(run.errors)
            for s in sessions:
                await s.close()

        clicking = threading.Thread(target=lambda: asyncio.run(browse()))
        clicking.start()
        try:
            status = subprocess.run([sys.executable, "-m", "indicators", "status", "--json", "--db", str(demo_db)],
                                    capture_output=True, text=True, timeout=300, env=env)
            imported = subprocess.run([sys.executable, "-m", "indicators", "import", str(_late_return(tmp_path)),
                                       "--yes", "--db", str(demo_db)], capture_output=True, text=True, timeout=300,
                                      env=env)
        finally:
            stop.set()
            clicking.join(timeout=300)
        assert status.returncode == 0 and status.stdout.startswith("["), status.stderr
        assert imported.returncode == 0, imported.stderr
        assert errors == []

        async def look():
            s = Session(app.url)
            await s.open()
            try:
                return await s.sign_in("admin", DEMO_PASSWORD, f"month={testdate.AS_OF}&unit=QX")
            finally:
                await s.close()
        page = run_apart(look())
    assert page.errors == []
    assert any("14.50" in t or "14.5 " in t for t in page.texts), [t for t in page.texts if "技术合同" in t][:2]


def _page_texts(at) -> list[str]:
    return [e.value for kind in ("title", "markdown", "caption", "info", "warning", "error", "success")
            for e in getattr(at, kind)] + [h.proto.body for h in at.get("html")]


def test_every_leader_page_shows_the_same_on_postgres(demo_db_master, pg_server, demo_pg_master, tmp_path, monkeypatch):
    """What users see must not differ: the same page texts over the file and over
    PostgreSQL (a copy of the same demo city)."""
    import shutil

    import streamlit as st
    from stores import drop_postgres, fresh_postgres
    path = tmp_path / "city.duckdb"
    shutil.copy(demo_db_master, path)
    name, url = fresh_postgres(pg_server, template=demo_pg_master)
    try:
        for page, query in [("pages/overview.py", {}), ("pages/indicator.py", {"ind": "GXQY"}),
                            ("pages/responsibility.py", {"unit": "GXQ"}), ("pages/batches.py", {})]:
            shown = {}
            for where in (path, url):
                st.cache_data.clear()
                st.cache_resource.clear()
                at = open_page(page, where, monkeypatch, month=testdate.AS_OF, **query)
                assert not at.exception, (page, where, at.exception)
                shown[str(where)] = _page_texts(at)
            assert shown[str(url)] == shown[str(path)], page
            assert len(shown[str(path)]) > 3
    finally:
        drop_postgres(pg_server, name)


def _rows(con, frame) -> int:
    return len(frame)


def test_a_frame_from_the_caches_is_keyed_by_what_it_came_from_any_other_by_its_rows(demo_db, monkeypatch):
    """The dispatch table is not hashed row by row for every cached read that takes it;
    a frame the page made itself still is, so a different frame never gets its result."""
    from indicators import ui
    monkeypatch.setenv("INDICATORS_DB", str(demo_db))
    with ui.script_run():
        con = ui.db()
        table = ui.dispatch(con, testdate.AS_OF)
        assert ui_data._key(table) == ("frame", ("dispatch", testdate.AS_OF, ui.data_version(con),
                                                 ui_data._dispatch_key(ui.settings())))
        fewer = table.head(3)
        assert ui_data._key(fewer) is fewer
        assert ui.cached(_rows, con, table) == len(table) > 3 and ui.cached(_rows, con, fewer) == 3
        again = ui.dispatch(con, testdate.AS_OF)  # a fresh copy from the cache, keyed the same
        assert again is not table and ui_data._key(again) == ui_data._key(table)
    with ui.script_run():  # a new run knows none of the last run's frames
        assert ui_data._key(table) is table


def test_a_sign_in_elsewhere_leaves_the_computed_pages_a_write_of_data_does_not(demo_db, monkeypatch):
    """On the file: a colleague signing in writes only bookkeeping (``data=False``), so the
    page's dispatch table is not computed again — yet a sign-out of this very session,
    also bookkeeping, still ends it at the next run, and an import is shown at once."""
    from actors import ADMIN
    from builders import AT
    import pandas as pd

    from indicators import ui
    from indicators.accounts import sessions, users
    from indicators.db import batches, connection
    from indicators.demo.accounts import DEMO_PASSWORD

    computed = []
    real = ui_data.dispatch_table
    monkeypatch.setattr(ui_data, "dispatch_table", lambda con, period, s: computed.append(period) or real(con, period, s))
    at = open_page("pages/overview.py", demo_db, monkeypatch, month=testdate.AS_OF)
    assert not at.exception and computed
    mine = at.session_state[ui.SESSION_STATE_KEY]

    with connection.connect(demo_db) as con:  # the leader signs in in another tab or replica
        leader = users.authenticate(con, "leader", DEMO_PASSWORD, now=AT)
        sessions.start(con, leader, b"k" * 32, hours=1, now=AT)
    computed.clear()
    at.run()
    assert not at.exception and at.title[0].value == "调度总览"
    assert computed == []  # the page's results survived the sign-in

    with connection.connect(demo_db) as con:  # a return lands
        row = pd.DataFrame([(testdate.AS_OF, "QX", "JSHT", 14.5)], columns=["period", "org_unit", "indicator_code", "value"])
        batches.write_batch(con, row[["indicator_code", "org_unit", "period", "value"]], file_name="青溪县.xlsx",
                            actor=ADMIN, at=AT)
    at.run()
    assert not at.exception and testdate.AS_OF in computed  # computed again from the new data

    with connection.connect(demo_db) as con:  # this tab's session is ended elsewhere (signed out)
        sessions.end(con, mine, now=AT)
    at.run()
    assert not at.exception and not at.title  # signed out: the router stops before the page


def test_runs_at_once_share_the_file_and_the_last_one_lets_go(demo_db):
    """Sessions' runs open and close the file at once (the load benchmark: 50 sessions on
    one replica): none is refused — opening the file while another run's close is still
    letting go of it was DuckDB's "Unique file handle conflict" — and when they are done
    the file is free for a command."""
    failures, counts = [], []

    def session():
        try:
            for _ in range(25):
                with shared_file.cursor(str(demo_db), 2.0) as con:
                    counts.append(con.execute("SELECT count(*) FROM indicator").fetchone()[0])
        except Exception as exc:  # noqa: BLE001 - every refusal is the failure under test
            failures.append(repr(exc))

    threads = [threading.Thread(target=session) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == [] and len(counts) == 12 * 25 and set(counts) == {19}
    assert shared_file._FILES == {}
    out = _take_for_writing(demo_db)
    assert out.stdout.strip() == "free", out.stderr


def test_runs_waiting_for_a_file_another_process_holds_share_one_refusal(demo_db):
    """While a command holds the file, the runs that come wait once, together, then each
    says so in one line — not one after the other (twelve sessions × the wait)."""
    import time

    from indicators.errors import DatabaseLocked
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(demo_db)!r}); "
                               "print('held', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        refusals = []

        def session():
            try:
                with shared_file.cursor(str(demo_db), 1.5):
                    pass
            except DatabaseLocked as exc:
                refusals.append(str(exc))

        began = time.monotonic()
        threads = [threading.Thread(target=session) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        took = time.monotonic() - began
    finally:
        holder.kill()
        holder.wait()
    assert len(refusals) == 12 and all("已等待 1.5 秒" in r for r in refusals), refusals[:2]
    assert took < 12 * 1.5, took  # one wait shared, not twelve in turn
    assert shared_file._FILES == {}
    with shared_file.cursor(str(demo_db), 5.0) as con:  # the holder gone: the next run opens it
        assert con.execute("SELECT count(*) FROM indicator").fetchone()[0] == 19
