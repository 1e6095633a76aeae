"""Senders at once, on each store: two processes (two timers, a timer and a hand-run
``send``) and several sessions of one app recording deliveries of the same messages at
the same moment — every message is claimed by exactly one of them, and its row lands
exactly once, sent, with no error in either.

On PostgreSQL this failed before the ledger's writes became ``Connection.write`` units:
DuckDB runs ``INSERT … ON CONFLICT DO NOTHING`` on an attached PostgreSQL as a read and
then a write, so the slower claimer met a duplicate-key error and its whole run stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from indicators.db.connection import connect
from indicators.delivery import ledger
from indicators.delivery.database import ShortConnections

pytestmark = pytest.mark.both_stores

MESSAGES = 30

# One sender: waits for the go file, then claims each message and records it sent, one
# short connection per step as ``outbox.deliver`` does. Prints the keys it won, as JSON.
SENDER = """
import datetime as dt, json, os, sys, time
from indicators.delivery import ledger
from indicators.delivery.database import ShortConnections
from indicators.delivery.ledger import Slot
target, go, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = dt.datetime(2026, 11, 6, 8, 30)
db = ShortConnections(target, 120)
with db() as con:
    pass  # the store opened once (the PostgreSQL extension loaded) before the start
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.01)
won = []
for i in range(n):
    slot = Slot("pack", "2026-10", "email", f"u{i}@kjj.example.invalid", "", f"联系人{i}", f"u{i}@kjj.example.invalid", "材料")
    with db() as con:
        if not ledger.claim(con, slot, now, 5):
            continue
    with db() as con:
        ledger.record_sent(con, slot.key, now)
    won.append(slot.key)
print(json.dumps(won))
"""


@pytest.fixture
def ledger_db(new_db):
    connect(new_db, create=True).close()
    return new_db


def _delivery_rows(target) -> list[tuple]:
    with connect(target, read_only=True) as con:
        return con.execute("SELECT key, status, attempts FROM delivery ORDER BY key").fetchall()


def _expected_keys() -> list[str]:
    return sorted(f"pack|2026-10|email|u{i}@kjj.example.invalid|" for i in range(MESSAGES))


def test_two_processes_sending_the_same_messages_at_once_record_each_exactly_once(store, ledger_db, tmp_path):
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", SENDER, str(ledger_db), str(go), str(MESSAGES)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "INDICATORS_LOCK_WAIT": "120"}) for _ in range(2)]
    for p in procs:  # both ready before either starts: they run at the same time
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()
    won = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0 and err == "", err
        won.append(json.loads(out))
    assert sorted(won[0] + won[1]) == _expected_keys()  # each message won by exactly one of them
    assert _delivery_rows(ledger_db) == [(k, "sent", 1) for k in _expected_keys()]


def test_sessions_of_one_app_claiming_at_once_each_win_a_message_once(store, ledger_db):
    """Four threads with their own connections (as the app's sessions have: on the file,
    DuckDB shares one database among a process's connections), the same messages."""
    import datetime as dt

    from indicators.delivery.ledger import Slot
    now = dt.datetime(2026, 11, 6, 8, 30)
    slots = [Slot("pack", "2026-10", "email", f"u{i}@kjj.example.invalid", "", f"联系人{i}",
                  f"u{i}@kjj.example.invalid", "材料") for i in range(MESSAGES)]
    barrier, won, errors = threading.Barrier(4), [], []

    def send():
        try:
            db = ShortConnections(ledger_db, 120)
            barrier.wait(timeout=120)
            for slot in slots:
                with db() as con:
                    if ledger.claim(con, slot, now, 5):
                        ledger.record_sent(con, slot.key, now)
                        won.append(slot.key)
        except Exception as exc:  # collected: an exception in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(barrier.parties)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert sorted(won) == _expected_keys()
    assert _delivery_rows(ledger_db) == [(k, "sent", 1) for k in _expected_keys()]

