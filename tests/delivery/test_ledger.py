"""The delivery table: a message is claimed once; a failure is retried with backoff."""

import datetime as dt

import pytest

from indicators.db.connection import connect
from indicators.delivery import ledger
from indicators.delivery.ledger import Slot

T0 = dt.datetime(2026, 11, 6, 8, 30)
SLOT = Slot("pack", "2026-10", "email", "leader@kjj.example.invalid", "", "张局长", "leader@kjj.example.invalid", "材料")


@pytest.fixture
def con():
    c = connect(":memory:")
    yield c
    c.close()


def row(con, key=SLOT.key):
    return ledger.rows(con, [key])[key]


def test_key_names_kind_period_channel_recipient_and_slot():
    assert SLOT.key == "pack|2026-10|email|leader@kjj.example.invalid|"
    assert Slot("reminder", "2026-10", "dingtalk", "group", "2026-11-04").key == "reminder|2026-10|dingtalk|group|2026-11-04"


def test_claimed_once(con):
    assert ledger.claim(con, SLOT, T0, 5)
    assert not ledger.claim(con, SLOT, T0, 5)  # being sent
    ledger.record_sent(con, SLOT.key, T0)
    assert not ledger.claim(con, SLOT, T0 + dt.timedelta(days=1), 5)  # sent: never again
    r = row(con)
    assert (r["status"], r["attempts"], r["claimed_by"].rsplit(":", 1)[0] != "") == ("sent", 1, True)


@pytest.mark.parametrize("attempts_before, wait_minutes", [(1, 10), (2, 20), (3, 40), (4, 80)])
def test_backoff_doubles(con, attempts_before, wait_minutes):
    ledger.claim(con, SLOT, T0, 9)
    con.execute("UPDATE delivery SET attempts = ? WHERE key = ?", [attempts_before, SLOT.key])
    nxt = ledger.record_failed(con, SLOT.key, T0, "连接超时", retry_minutes=10)
    assert nxt == T0 + dt.timedelta(minutes=wait_minutes)
    assert not ledger.claim(con, SLOT, nxt - dt.timedelta(seconds=1), 9)  # not yet
    assert ledger.claim(con, SLOT, nxt, 9)  # due: claimed again, one more attempt
    assert row(con)["attempts"] == attempts_before + 1


def test_gives_up_after_max_attempts(con):
    now = T0
    for attempt in range(1, 4):
        assert ledger.claim(con, SLOT, now, 3), attempt
        now = ledger.record_failed(con, SLOT.key, now, f"第{attempt}次失败", 10)
    assert not ledger.claim(con, SLOT, now + dt.timedelta(days=1), 3)
    assert ledger.status_text(row(con), now, 3) == "已放弃（失败 3 次）"
    assert ledger.requeue(con, SLOT.key, now)  # by hand: back in the queue, attempts start over
    assert ledger.claim(con, SLOT, now, 3)
    assert row(con)["attempts"] == 1


def test_status_texts(con):
    ledger.claim(con, SLOT, T0, 5)
    assert ledger.status_text(row(con), T0 + dt.timedelta(minutes=29), 5) == "发送中"
    assert ledger.status_text(row(con), T0 + dt.timedelta(minutes=31), 5) == "发送中断（结果不明，未自动重发）"
    ledger.record_failed(con, SLOT.key, T0, "HTTP 503", 10)
    assert ledger.status_text(row(con), T0, 5) == "失败待重试（已试 1 次，下次 11-06 08:40）"
    ledger.record_failed(con, SLOT.key, T0, "测试失败", None)
    assert ledger.status_text(row(con), T0, 5) == "失败（不自动重试）"


def test_an_interrupted_send_is_not_resent_by_itself(con):
    ledger.claim(con, SLOT, T0, 5)  # the process died after claiming: it may have arrived
    later = T0 + dt.timedelta(hours=2)
    assert not ledger.claim(con, SLOT, later, 5)
    assert not ledger.requeue(con, SLOT.key, T0 + dt.timedelta(minutes=5))  # maybe still sending
    assert ledger.requeue(con, SLOT.key, later)  # 综合科 decides to send it again
    assert ledger.claim(con, SLOT, later, 5)


def test_retries_due_lists_failed_rows_whose_time_has_come(con):
    other = Slot("pack", "2026-10", "wecom", "group")
    for s in (SLOT, other):
        ledger.claim(con, s, T0, 5)
    ledger.record_failed(con, SLOT.key, T0, "x", 10)
    ledger.record_sent(con, other.key, T0)
    assert ledger.retries_due(con, T0 + dt.timedelta(minutes=9), 5).empty
    assert ledger.retries_due(con, T0 + dt.timedelta(minutes=10), 5)["key"].tolist() == [SLOT.key]
