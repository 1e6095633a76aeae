"""A writer that runs out of waiting says so, on each store: while another writer holds
the database (on PostgreSQL the write turn, on the file the file itself or, inside one
process, the turn), a command gives up after ``INDICATORS_LOCK_WAIT`` seconds with one
Chinese line on stderr and exit 1, and a page with an error box instead of a traceback —
and nothing is written either way."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest
from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)

from indicators import clock
from indicators.accounts import users
from indicators.db import connection
from indicators.demo.accounts import DEMO_PASSWORD
from indicators.settings import load

pytestmark = pytest.mark.both_stores


@contextmanager
def another_writer(db):
    """Another writer in the middle of its write unit until the block ends."""
    holding, release, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with connection.connect(db) as other:
                other.write(lambda tx: (holding.set(), release.wait(120)))
        except Exception as exc:  # noqa: BLE001 - reported below, a thread's exception would be lost
            failed.append(exc)
            holding.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(120) and failed == [], failed
    try:
        yield
    finally:
        release.set()
        holder.join(120)


def test_a_command_that_runs_out_of_waiting_says_so_in_one_line_exit_1(store, demo_db):
    with another_writer(demo_db):
        out = subprocess.run([sys.executable, "-m", "indicators", "user", "disable", "leader", "--db", str(demo_db)],
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, "INDICATORS_LOCK_WAIT": "1"})
    assert out.returncode == 1 and out.stdout == "", out
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    if store == "postgres":  # the turn: any number of processes may have the database open
        assert out.stderr.startswith("数据库正被其他写入占用，已等待 1 秒仍未轮到，本次操作未写入任何数据。"), out.stderr
    else:  # the file: one process at a time
        assert "正被另一个进程" in out.stderr and "已等待 1 秒仍未释放" in out.stderr, out.stderr
    assert with_db(demo_db, lambda con: users.find(con, "leader")["disabled"]) is False


def test_a_page_whose_write_runs_out_of_waiting_shows_one_error_line(store, demo_db, monkeypatch):
    monkeypatch.setenv("INDICATORS_LOCK_WAIT", "1")
    at = open_page("pages/account.py", demo_db, monkeypatch, as_login="dc")
    assert not at.exception, at.exception
    at.text_input(key="pw_old").set_value(DEMO_PASSWORD)
    at.text_input(key="pw_new").set_value("Dongcheng-2027")
    at.text_input(key="pw_again").set_value("Dongcheng-2027")
    with another_writer(demo_db):
        at.button[0].click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "数据库正被其他写入占用，已等待 1 秒仍未轮到，本次操作未写入任何数据。请稍后重试（等待时间由 INDICATORS_LOCK_WAIT 设置）。"]
    when = clock.now(load())
    assert with_db(demo_db, lambda con: users.authenticate(con, "dc", DEMO_PASSWORD, now=when)).login == "dc"
