"""SMTP as a bureau's mail server does it: implicit TLS or STARTTLS with a login; every
failure one Chinese line that says what to check, never the password."""

from __future__ import annotations

import datetime as dt

import pytest
from actors import ADMIN
from services import SMTP_PASSWORD, settings_from

from indicators.delivery import mail, outbox
from indicators.delivery.database import ShortConnections
from indicators.settings import Settings

NOW = dt.datetime(2026, 11, 6, 9, 0)


def send_test(city, env, address="someone@example.invalid"):
    s = settings_from(env, city)
    return outbox.send_test(ShortConnections(city, 30), "email", s, NOW, address=address, actor=ADMIN).results[0]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: it is TLS
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(city, smtp_factory, security):
    server = smtp_factory(security)
    result = send_test(city, server.settings())
    assert result.outcome == "sent", result.detail
    got, = server.messages
    assert got.rcpt_tos == ["someone@example.invalid"]
    assert got.message["Subject"] == "【测试】指标月调度系统 · 邮件"
    assert "收到即说明发送设置正确" in got.message.get_body(("plain",)).get_content()


def test_plain_intranet_relay(city, smtp_factory):
    server = smtp_factory("none")
    assert send_test(city, server.settings()).outcome == "sent"


@pytest.mark.parametrize("change, expected", [
    ({"INDICATORS_SMTP_PASSWORD": "wrong"}, "邮件服务器拒绝登录：请检查 INDICATORS_SMTP_USER（yddd）和 INDICATORS_SMTP_PASSWORD"),
    ({"INDICATORS_SMTP_SECURITY": "none"}, "邮件服务器不支持所需功能（SMTP AUTH extension not supported"),  # no login before STARTTLS
    ({"INDICATORS_SMTP_CAFILE": ""}, "与邮件服务器建立加密连接失败"),  # a self-signed certificate, not trusted
    ({"INDICATORS_SMTP_PORT": "1"}, "发送邮件失败（127.0.0.1:1）"),
])
def test_failures_say_what_to_check(city, smtp, change, expected):
    result = send_test(city, smtp.settings() | change)
    assert result.outcome == "failed" and expected in result.detail, result.detail
    assert "测试消息不自动重试" in result.detail
    assert SMTP_PASSWORD not in result.detail and smtp.messages == []


def test_starttls_asked_of_a_server_without_it(city, smtp_factory):
    server = smtp_factory("none")
    result = send_test(city, server.settings(INDICATORS_SMTP_SECURITY="starttls"))
    assert result.outcome == "failed"
    assert "邮件服务器不支持所需功能" in result.detail and "INDICATORS_SMTP_SECURITY" in result.detail


def test_a_temporary_refusal_is_retried(city, smtp):
    smtp.fail = 1  # 451: try again later
    s = settings_from(smtp.settings(), city)
    db = ShortConnections(city, 30)
    first = outbox.send_reminders(db, "2026-10", ["email"], s, NOW, actor=ADMIN)
    assert [r.outcome for r in first.results] == ["failed", "sent"]
    assert "451" in first.results[0].detail
    second = outbox.send_reminders(db, "2026-10", ["email"], s, NOW + dt.timedelta(minutes=10), actor=ADMIN)
    assert [r.outcome for r in second.results] == ["sent", "skipped"]
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["b@example.invalid", "zhk@kjj.example.invalid"]


def test_message_id_is_the_deliverys():
    s = Settings(smtp_from="示例市科技局 <yddd@kjj.example.invalid>")
    assert mail.message_id("abc123", s) == "<abc123@kjj.example.invalid>"


@pytest.mark.parametrize("text, ok", [
    ("a@example.invalid", True), ("zhang.san@kjj.example.invalid", True), ("a@b", False), ("a b@c.d", False),
    ("a@b.c,d@e.f", False), ("@b.c", False), ("甲区", False),
])
def test_valid_address(text, ok):
    assert mail.valid_address(text) is ok


def test_secrets_stay_out_of_repr():
    s = Settings(smtp_password="pw-1", dingtalk_token="tok-2", dingtalk_secret="SEC-3", wecom_key="key-4")
    assert not any(x in repr(s) for x in ("pw-1", "tok-2", "SEC-3", "key-4"))
    assert s.secrets == ("pw-1", "tok-2", "SEC-3", "key-4")
