"""消息发送 in AppTest: channels without secrets, a test message, 催报 sent from the page
after a preview, a failure shown first in the log — and 报送记录's 发送记录 tab."""

from __future__ import annotations

import pytest
from builders import AT
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)
from services import DING_SECRET, DING_TOKEN, SMTP_PASSWORD, WECOM_KEY

PAGE = "pages/send.py"


@pytest.fixture(autouse=True)
def _the_citys_day(monkeypatch):
    """The page offers the months up to the latest due one: pin the day the tiny city's
    2026-10 is due on (on 2027-06-30 the list no longer reaches back to it)."""
    monkeypatch.setenv("INDICATORS_TODAY", AT.date().isoformat())


def frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _env(monkeypatch, *parts):
    for env in parts:
        for k, v in env.items():
            monkeypatch.setenv(k, v)


def test_channels_are_shown_without_secrets(city, smtp, robots, monkeypatch):
    _env(monkeypatch, smtp.settings(), robots.settings())
    at = open_page(PAGE, city, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "消息发送"
    table = frame_with(at, "渠道")
    assert table["状态"].tolist() == ["已配置", "已配置", "已配置"]
    assert "密码已设置" in table["安全"].iloc[0] and "加签密钥已设置" in table["安全"].iloc[1]
    shown = " ".join(str(v) for v in table.to_numpy().ravel()) + " ".join(m.value for m in at.markdown)
    for secret in (SMTP_PASSWORD, DING_TOKEN, DING_SECRET, WECOM_KEY):
        assert secret not in shown


def test_nothing_configured_says_so(city, monkeypatch):
    at = open_page(PAGE, city, monkeypatch)
    assert not at.exception
    assert frame_with(at, "渠道")["状态"].tolist() == ["未配置"] * 3
    assert any("请选择至少一个已配置的渠道" in c.value for c in at.caption)
    assert any("尚未配置任何发送渠道" in c.value for c in at.caption) and not at.multiselect  # no empty list


def test_test_message_and_reminders_sent_from_the_page(city, smtp, robots, monkeypatch):
    _env(monkeypatch, smtp.settings(), robots.settings())
    robots.fail["wecom"] = 1
    at = open_page(PAGE, city, monkeypatch)
    at.selectbox(key="test_channel").set_value("dingtalk").run()
    at.button(key="test_send").click().run()
    assert not at.exception and at.success[0].value == "测试消息已发送。"
    assert "测试消息" in robots.of("dingtalk")[0]["markdown"]["text"]

    at.selectbox(key="send_period").set_value("2026-10").run()
    preview = frame_with(at, "结果")
    assert set(preview["结果"]) == {"将发送"}
    assert preview["收件人"].tolist() == ["乙县", "综合科", "月调度群", "月调度群"]
    assert smtp.messages == []  # the preview sent nothing
    at.checkbox(key="send_ok_2026-10_催报").check().run()
    at.button(key="send_go").click().run()
    assert not at.exception
    assert at.error[0].value == "部分消息发送失败，已记录，将自动重试。"  # WeCom answered 503 once
    assert [m.rcpt_tos for m in smtp.messages] == [["b@example.invalid", "b2@example.invalid"],
                                                   ["zhk@kjj.example.invalid"]]
    log = frame_with(at, "错误")
    assert log.iloc[0]["渠道"] == "企业微信群机器人" and log.iloc[0]["状态"].startswith("失败待重试")
    assert "HTTP 503" in log.iloc[0]["错误"]
    outcome, preview = [d.value for d in at.dataframe if "结果" in d.value.columns]
    assert outcome["结果"].tolist() == ["已发送", "已发送", "已发送", "失败"]
    assert preview["说明"].tolist()[:3] == ["不发送：已发送"] * 3  # the preview now says what went
    assert preview["说明"].iloc[3].startswith("不发送：失败待重试（已试 1 次")
    assert preview["结果"].tolist() == ["不发送"] * 4
    assert at.button(key="send_go").disabled  # nothing left to send now


def test_batches_page_shows_the_delivery_log(city, smtp, monkeypatch):
    _env(monkeypatch, smtp.settings())
    at = open_page(PAGE, city, monkeypatch)
    at.selectbox(key="send_period").set_value("2026-10").run()
    at.checkbox(key="send_ok_2026-10_催报").check().run()
    at.button(key="send_go").click().run()
    at = open_page("pages/batches.py", city, monkeypatch)
    assert not at.exception
    sent = frame_with(at, "错误")
    assert sent["收件人"].tolist() == ["乙县", "综合科"] and set(sent["状态"]) == {"已发送"}
