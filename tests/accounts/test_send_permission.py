"""Sending 催报 or the pack is a write (the delivery ledger, the messages themselves): only
roles with ``send`` (综合科, 管理员) may, whatever the channel; a refusal sends nothing and
records nothing. A dry run only previews and needs no right."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.accounts import users
from indicators.db.connection import connect
from indicators.delivery import outbox
from indicators.delivery.database import ShortConnections
from indicators.errors import PermissionDenied
from indicators.settings import Settings

NOW = dt.datetime(2026, 11, 10, 9, 0)
SETTINGS = Settings(today=NOW.date())


def _rows(path) -> tuple[int, int]:
    with connect(path) as con:
        return (con.execute("SELECT count(*) FROM delivery").fetchone()[0],
                con.execute("SELECT count(*) FROM audit WHERE action = 'send'").fetchone()[0])


# the accounts conftest's logins whose roles may not send: 科室 ×2, 区县填报员 ×2, 领导
@pytest.mark.parametrize("login", ["dep1", "dep2", "dist_a", "dist_b", "lead"])
def test_only_office_and_admin_send(accounts_db, login):
    db = ShortConnections(accounts_db, 5)
    with connect(accounts_db) as con:
        actor = users.actor_for(con, login)
    for send in (lambda: outbox.send_reminders(db, "2026-10", ["email"], SETTINGS, NOW, actor=actor),
                 lambda: outbox.send_pack(db, "2026-10", ["email"], SETTINGS, NOW, actor=actor),
                 lambda: outbox.send_test(db, "email", SETTINGS, NOW, address="x@example.invalid", actor=actor),
                 lambda: outbox.requeue(db, actor, "no-such-key", NOW)):
        with pytest.raises(PermissionDenied, match="无权发送催报和月度材料"):
            send()
    assert _rows(accounts_db) == (0, 0)
    outbox.send_reminders(db, "2026-10", ["email"], SETTINGS, NOW, actor=actor, dry_run=True)  # a preview
    assert _rows(accounts_db) == (0, 0)


def test_a_send_is_audited_as_the_sender(accounts_db):
    db = ShortConnections(accounts_db, 5)
    with connect(accounts_db) as con:
        office = users.actor_for(con, "off")
    outbox.send_reminders(db, "2026-10", [], SETTINGS, NOW, actor=office)  # no channel configured: nothing goes
    with connect(accounts_db) as con:
        rows = con.execute("SELECT login, role, detail FROM audit WHERE action = 'send'").fetchall()
    assert rows == [("off", "office", "催报 2026年10月：发出 0 条，共 0 条")]
