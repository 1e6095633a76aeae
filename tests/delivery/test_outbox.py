"""Sending for real to local servers: what arrives, once; failures retried and logged."""

import datetime as dt
import io
import zipfile

import pytest
from actors import ADMIN
from services import DING_SECRET, DING_TOKEN, PERIOD, SMTP_PASSWORD, WECOM_KEY, settings_from

from testdate import AS_OF

from indicators.db.batches import write_batch
from indicators.db.connection import connect
from indicators.rules import periods
from indicators.delivery import ledger, outbox
from indicators.delivery.database import ShortConnections

NOW = dt.datetime(2026, 11, 6, 9, 0)  # the day after 2026-10's deadline: reminders and the pack are due
PACK_NAMES = ["2026年10月测试市重点指标调度表.xlsx", "2026年10月测试市重点指标月调度汇报.pptx",
              "2026年10月测试市重点指标调度通报.pdf"]


@pytest.fixture
def setup(city, smtp, robots):
    s = settings_from(smtp.settings() | robots.settings(), city)
    return s, ShortConnections(city, 30)


def log(city):
    con = connect(city)
    try:
        return ledger.log(con, 100).set_index("key")
    finally:
        con.close()


def test_pack_email_carries_the_three_files_with_chinese_names_once(setup, smtp, city, soffice):
    s, db = setup
    report = outbox.send_pack(db, PERIOD, ["email"], s, NOW, actor=ADMIN)
    assert [(r.slot.recipient_name, r.outcome) for r in report.results] == [("张局长", "sent"), ("综合科", "sent")]
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["leader@kjj.example.invalid", "zhk@kjj.example.invalid"]
    got = smtp.to("leader@kjj.example.invalid")[0]
    msg = got.message
    assert msg["Subject"] == "2026年10月测试市重点指标月调度材料"
    assert msg["From"].addresses[0].display_name == "示例市科技局"
    assert "关于2026年10月测试市科技创新重点指标调度情况的通报" in msg.get_body(("plain",)).get_content()
    files = {a.get_filename(): (a.get_content_type(), a.get_content()) for a in msg.iter_attachments()}
    assert list(files) == PACK_NAMES
    assert files[PACK_NAMES[0]][0] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert files[PACK_NAMES[1]][0] == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert files[PACK_NAMES[2]][0] == "application/pdf"
    assert zipfile.ZipFile(io.BytesIO(files[PACK_NAMES[0]][1])).namelist()  # a real workbook
    assert files[PACK_NAMES[2]][1][:5] == b"%PDF-"
    # on the wire: RFC 2231 in Content-Disposition, and the Content-Type left intact
    raw = got.raw.decode("ascii")
    assert "filename*0*=utf-8''2026%E5%B9%B410%E6%9C%88" in raw
    assert "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n" in raw
    assert "=?utf-8?q?vnd" not in raw
    # once: a second run sends nothing
    again = outbox.send_pack(db, PERIOD, ["email"], s, NOW + dt.timedelta(hours=1), actor=ADMIN)
    assert [r.outcome for r in again.results] == ["skipped", "skipped"]
    assert len(smtp.messages) == 2
    assert set(log(city)["status"]) == {"sent"}


def test_reminders_go_only_to_units_still_late(setup, smtp, robots, city):
    s, db = setup
    report = outbox.send_reminders(db, PERIOD, ["email", "dingtalk", "wecom"], s, NOW, actor=ADMIN)
    assert [(r.slot.channel, r.slot.recipient_name, r.outcome) for r in report.results] == [
        ("email", "乙县", "sent"), ("email", "综合科", "sent"), ("dingtalk", "月调度群", "sent"),
        ("wecom", "月调度群", "sent")]
    late = smtp.messages[0]
    assert late.rcpt_tos == ["b@example.invalid", "b2@example.invalid"]  # both of 乙县's contacts
    assert not smtp.to("a@example.invalid") and not smtp.to("z@example.invalid")  # 甲区 and 园区 reported
    body = late.message.get_body(("plain",)).get_content()
    assert "乙县：缺 2 项（高新技术企业数、研发活动空白率）" in body and "报送截止：2026年11月5日" in body
    assert "甲区" not in body
    assert late.message["Subject"] == "【催报】2026年10月科技重点指标数据（截止 11月5日） · 乙县"
    ding, = robots.of("dingtalk")
    assert ding["at"]["atMobiles"] == ["10000000002"] and "@10000000002" in ding["markdown"]["text"]
    wecom, = robots.of("wecom")
    assert "<@yixian>" in wecom["markdown"]["content"] and "<@jiaqu>" not in wecom["markdown"]["content"]
    # the same day again: nothing; 乙县 reports; the next day: nothing at all to chase
    assert {r.outcome for r in outbox.send_reminders(db, PERIOD, ["email"], s, NOW, actor=ADMIN).results} == {"skipped"}
    con = connect(city)
    import pandas as pd
    write_batch(con, pd.DataFrame({"indicator_code": ["HT", "LOW"], "org_unit": ["B", "B"],
                                         "period": [PERIOD] * 2, "value": [55.0, 11.0]}), file_name="b.xlsx",
                      actor=ADMIN, at=NOW + dt.timedelta(hours=3))
    con.close()
    tomorrow = outbox.send_reminders(db, PERIOD, ["email", "dingtalk"], s, NOW + dt.timedelta(days=1), actor=ADMIN)
    assert tomorrow.results == [] and "各单位均已报齐" in tomorrow.lines[-1]
    assert len(smtp.messages) == 2 and len(robots.messages) == 2


def test_a_failed_channel_is_retried_with_backoff_and_logged(setup, robots, city):
    s, db = setup
    robots.fail["dingtalk"] = 1  # one HTTP 503
    first = outbox.send_reminders(db, PERIOD, ["dingtalk"], s, NOW, actor=ADMIN)
    assert first.failed and "钉钉群机器人返回 HTTP 503" in first.results[0].detail
    assert "11-06 09:10 后重试" in first.results[0].detail
    key = first.results[0].slot.key
    row = log(city).loc[key]
    assert (row["status"], row["attempts"]) == ("failed", 1) and "HTTP 503" in row["error"]
    assert row["next_attempt_at"] == NOW + dt.timedelta(minutes=10)
    early = outbox.send_reminders(db, PERIOD, ["dingtalk"], s, NOW + dt.timedelta(minutes=5), actor=ADMIN)
    assert early.results[0].outcome == "skipped" and "失败待重试" in early.results[0].detail
    assert robots.messages == []
    late = outbox.send_reminders(db, PERIOD, ["dingtalk"], s, NOW + dt.timedelta(minutes=10), actor=ADMIN)
    assert late.results[0].outcome == "sent" and len(robots.of("dingtalk")) == 1
    row = log(city).loc[key]
    assert (row["status"], row["attempts"], row["error"]) == ("sent", 2, None)


def test_a_channel_that_keeps_failing_gives_up_visibly(setup, robots, city):
    s, db = setup
    s = s.with_(send_max_attempts=3)
    robots.fail["wecom"] = 99
    now = NOW
    for _ in range(5):
        outbox.send_reminders(db, PERIOD, ["wecom"], s, now, actor=ADMIN)
        now += dt.timedelta(hours=2)
    row = log(city).iloc[0]
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert ledger.status_text(row.to_dict(), now, 3) == "已放弃（失败 3 次）"


def test_wecom_gets_a_long_pack_in_parts_within_4096_bytes_and_resumes(setup, robots, demo_db):
    s, _ = setup
    db = ShortConnections(demo_db, 30)
    robots.fail_nth["wecom"] = {2}  # the second part fails once
    first = outbox.send_pack(db, AS_OF, ["wecom", "dingtalk"], s, NOW, actor=ADMIN)
    assert [(r.slot.channel, r.outcome) for r in first.results] == [("dingtalk", "sent"), ("wecom", "failed")]
    assert robots.rejected == []  # the server refused nothing as too long or badly signed
    second = outbox.send_pack(db, AS_OF, ["wecom"], s, NOW + dt.timedelta(minutes=10), actor=ADMIN)
    assert second.results[0].outcome == "sent"
    parts = [p["markdown"]["content"] for p in robots.of("wecom")]
    n = len(parts)
    assert n >= 2 and all(len(p.encode("utf-8")) <= 4096 for p in parts)
    assert [p.rsplit("（", 1)[-1] for p in parts] == [f"{i}/{n}）" for i in range(1, n + 1)]  # each part once
    whole = "".join(parts)
    assert f"关于{periods.label(AS_OF)}示例市科技创新重点指标调度情况的通报" in whole and "下一步工作要求" in whole
    assert "附件已通过邮件发送" in parts[-1]  # no link configured: the whole notice is the group's copy
    ding = robots.of("dingtalk")  # DingTalk takes 20,000 bytes a message, signed
    assert len(ding[0]["markdown"]["text"].encode("utf-8")) > 4096


def test_a_long_notice_goes_to_a_group_as_a_brief_with_links(setup, robots, demo_db):
    s, _ = setup
    s = s.with_(app_url="http://10.0.0.8:8501")
    outbox.send_pack(ShortConnections(demo_db, 30), AS_OF, ["wecom"], s, NOW, actor=ADMIN)
    brief, = robots.of("wecom")  # one message, not a run of parts
    text = brief["markdown"]["content"]
    assert len(text.encode("utf-8")) <= 4096
    assert text.startswith(f"# {periods.label(AS_OF)}示例市重点指标月调度材料")
    assert "项重点指标中" in text and "滞后指标：" in text
    assert f"[报告导出页（当前数据）](http://10.0.0.8:8501/report?month={AS_OF})" in text


def test_links_point_at_the_app_and_the_shared_folder(setup, robots, tmp_path):
    s, db = setup
    s = s.with_(app_url="http://10.0.0.8:8501", pack_dir=str(tmp_path / "packs"), pack_url="http://files.example.invalid/yddd")
    outbox.send_pack(db, PERIOD, ["dingtalk"], s, NOW, actor=ADMIN)
    text = robots.of("dingtalk")[0]["markdown"]["text"]
    assert "[报告导出页（当前数据）](http://10.0.0.8:8501/report?month=2026-10)" in text
    assert ("(http://files.example.invalid/yddd/2026-10/2026%E5%B9%B410%E6%9C%88%E6%B5%8B%E8%AF%95%E5%B8%82"
            "%E9%87%8D%E7%82%B9%E6%8C%87%E6%A0%87%E8%B0%83%E5%BA%A6%E8%A1%A8.xlsx)") in text
    assert sorted(p.name for p in (tmp_path / "packs" / "2026-10").iterdir()) == sorted(PACK_NAMES)


def test_webhooks_go_through_the_proxy_setting(setup, robots):
    s, db = setup
    s = s.with_(dingtalk_url="http://oapi.dingtalk.example.invalid", send_proxy=robots.url)
    assert outbox.send_test(db, "dingtalk", s, NOW, actor=ADMIN).results[0].outcome == "sent"
    assert robots.messages[0].proxied  # the request named the absolute URL: it went through the proxy


def test_unit_without_an_address_fails_visibly(setup, smtp, city):
    s, db = setup
    con = connect(city)
    con.execute("DELETE FROM contact WHERE org_unit = 'B'")
    con.close()
    report = outbox.send_reminders(db, PERIOD, ["email"], s, NOW, actor=ADMIN)
    failed = [r for r in report.results if r.outcome == "failed"]
    assert [r.slot.recipient_name for r in failed] == ["乙县"]
    assert "乙县没有接收催报的联系人邮箱" in failed[0].detail
    assert smtp.to("zhk@kjj.example.invalid")  # the bureau's copy still went


def test_dry_run_sends_and_writes_nothing(setup, smtp, robots, city):
    s, db = setup
    report = outbox.send_due(db, s, NOW, dry_run=True, actor=ADMIN)
    assert {r.outcome for r in report.results} == {"planned"}
    assert {(r.slot.kind, r.slot.channel) for r in report.results} == {
        (k, c) for k in ("reminder", "pack") for c in ("email", "dingtalk", "wecom")}
    assert smtp.messages == [] and robots.messages == []
    assert log(city).empty


def test_errors_never_carry_secrets(city, smtp, robots):
    s = settings_from(smtp.settings(INDICATORS_SMTP_PASSWORD="wrong-" + SMTP_PASSWORD) | robots.settings(
        INDICATORS_DINGTALK_SECRET="SECwrong" + DING_SECRET, INDICATORS_WECOM_URL="http://127.0.0.1:9"), city)
    db = ShortConnections(city, 30)
    report = outbox.send_reminders(db, PERIOD, ["email", "dingtalk", "wecom"], s, NOW, actor=ADMIN)
    assert {r.outcome for r in report.results} == {"failed"}
    texts = [r.detail for r in report.results] + [str(v) for v in log(city).astype(str).to_numpy().ravel()]
    for secret in (SMTP_PASSWORD, DING_SECRET, DING_TOKEN, WECOM_KEY):
        assert not any(secret in t for t in texts), secret
    details = " ".join(r.detail for r in report.results)
    assert "邮件服务器拒绝登录" in details and "sign not match" in details and "无法连接企业微信群机器人" in details
