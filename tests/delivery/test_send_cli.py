"""``indicators send`` as a user runs it — real subprocesses against local servers: two
``send due`` at once deliver each message once, ``--dry-run`` sends nothing, mistakes are
one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

from services import PERIOD, cli_env, run_cli

from indicators.db.connection import connect

PACK_DAY = "2026-11-06"  # the day after 2026-10's deadline
DUE_NOW = {"INDICATORS_TODAY": PACK_DAY, "INDICATORS_PACK_AT": "00:00", "INDICATORS_REMIND_AT": "00:00"}
PACK_FILES = ["2026年10月测试市重点指标调度表.xlsx", "2026年10月测试市重点指标月调度汇报.pptx",
              "2026年10月测试市重点指标调度通报.pdf"]


def deliveries(db):
    con = connect(db)
    try:
        return con.execute("SELECT key, status, attempts FROM delivery ORDER BY key").fetchall()
    finally:
        con.close()


def test_two_send_due_processes_at_once_deliver_each_message_once(city, smtp, robots, soffice):
    env = cli_env(city, **smtp.settings(), **robots.settings(), **DUE_NOW)
    cmd = [sys.executable, "-m", "indicators", "send", "due", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    results = [r for out, _ in outs for r in json.loads(out)["results"]]
    sent = sorted(r["key"] for r in results if r["outcome"] == "sent")
    assert len(sent) == len(set(sent)) == 8  # 4 reminders + 4 packs, each sent by exactly one process
    assert {r["outcome"] for r in results} <= {"sent", "skipped"}
    # what arrived: one pack email per bureau recipient, with the three files under their Chinese names
    for address in ("leader@kjj.example.invalid", "zhk@kjj.example.invalid"):
        packs = [m for m in smtp.to(address) if "月调度材料" in m.message["Subject"]]
        assert len(packs) == 1, address
        assert [a.get_filename() for a in packs[0].message.iter_attachments()] == PACK_FILES
        assert "filename*0*=utf-8''" in packs[0].raw.decode("ascii")
    reminders = [m for m in smtp.messages if "催报" in m.message["Subject"]]
    assert sorted(m.rcpt_tos[0] for m in reminders) == ["b@example.invalid", "zhk@kjj.example.invalid"]
    assert len(smtp.messages) == 4
    for channel in ("dingtalk", "wecom"):
        texts = [p["markdown"].get("text") or p["markdown"].get("content") for p in robots.of(channel)]
        # a notice longer than one message goes in numbered parts (webhooks.split_markdown): one message, once
        firsts = [t for t in texts if not re.search(r"（([2-9]|\d\d+)/\d+）$", t)]
        kinds = sorted("催报" if "提醒" in t else "材料" for t in firsts)
        assert kinds == ["催报", "材料"], channel
        parts = [int(m.group(1)) for t in texts if (m := re.search(r"（\d+/(\d+)）$", t))]
        assert len(texts) == 2 + (parts[0] - 1 if parts else 0), channel  # each part of the pack exactly once
    assert robots.rejected == []  # every DingTalk signature was right, no WeCom message too long
    assert {(status, attempts) for _, status, attempts in deliveries(city)} == {("sent", 1)}
    # and once more: nothing new goes out
    robot_messages = len(robots.messages)
    again = run_cli(["send", "due"], env)
    assert again.returncode == 0 and "已发送" in again.stdout
    assert len(smtp.messages) == 4 and len(robots.messages) == robot_messages


def test_dry_run_prints_what_would_go_where_and_sends_nothing(city, smtp, robots):
    env = cli_env(city, **smtp.settings(), **robots.settings(), **DUE_NOW)
    due = run_cli(["send", "due", "--dry-run"], env)
    assert due.returncode == 0, due.stderr
    out = due.stdout
    assert "（演练：以下消息均未发送，也未记录）" in out
    assert "演练  邮件 → 乙县 <b@example.invalid, b2@example.invalid>：将发送" in out
    assert "演练  邮件 → 张局长 <leader@kjj.example.invalid>：将发送" in out
    assert "附件：" + "、".join(PACK_FILES) in out
    assert "演练  企业微信群机器人 → 月调度群：将发送" in out
    assert "甲区" not in out  # 甲区 reported: not chased
    pack = run_cli(["send", "pack", "--period", PERIOD, "--to", "email", "wecom", "--dry-run", "--json"], env)
    assert pack.returncode == 0 and {r["outcome"] for r in json.loads(pack.stdout)["results"]} == {"planned"}
    assert smtp.messages == [] and robots.messages == [] and robots.rejected == []
    assert deliveries(city) == []


def test_a_failed_channel_exits_1_and_is_logged(city, smtp, robots):
    robots.fail["wecom"] = 9
    env = cli_env(city, **smtp.settings(), **robots.settings())
    done = run_cli(["send", "reminders", "--period", PERIOD, "--to", "wecom", "email"], env)
    assert done.returncode == 1
    assert "失败  企业微信群机器人 → 月调度群：企业微信群机器人返回 HTTP 503" in done.stdout
    assert "已发送  邮件 → 乙县" in done.stdout
    log = json.loads(run_cli(["send", "log", "--json"], env).stdout)
    failed = [r for r in log if r["status"] == "failed"]
    assert [(r["channel"], r["attempts"]) for r in failed] == [("wecom", 1)]
    assert failed[0]["status_text"].startswith("失败待重试（已试 1 次，下次")
    text = run_cli(["send", "log"], env).stdout
    assert "催报 2026-10  企业微信群机器人 → 月调度群  失败待重试" in text
    assert "催报 2026-10  邮件 → 乙县  已发送\n" in text + "\n" and "nan" not in text


def test_usage_mistakes_are_one_line(city, smtp):
    bad = run_cli(["send", "due"], cli_env(city, INDICATORS_REMIND_AT="9点"))
    assert bad.returncode == 2 and bad.stderr.strip() == "设置 INDICATORS_REMIND_AT=9点 无效：应为时刻 HH:MM，如 08:30。"
    bad = run_cli(["send", "due"], cli_env(city, INDICATORS_PACK_TO="email,qq"))
    assert bad.returncode == 2 and "INDICATORS_PACK_TO" in bad.stderr and "Traceback" not in bad.stderr
    none = run_cli(["send", "pack", "--period", PERIOD, "--to", "email"], cli_env(city))
    assert none.returncode == 1
    assert none.stderr.strip() == "邮件未配置：请设置 INDICATORS_SMTP_HOST、INDICATORS_SMTP_FROM（见 README「发送」一节）。"
    assert deliveries(city) == []
    usage = run_cli(["send", "pack", "--period", PERIOD, "--to", "qq"], cli_env(city))
    assert usage.returncode == 2 and "用法错误" in usage.stderr


def test_channels_shows_no_secret(city, smtp):
    from services import SMTP_PASSWORD
    out = run_cli(["send", "channels"], cli_env(city, **smtp.settings()))
    assert out.returncode == 0
    assert out.stdout.splitlines()[0].startswith("邮件：已配置  127.0.0.1:")
    assert "密码已设置" in out.stdout and SMTP_PASSWORD not in out.stdout


def test_a_busy_database_is_waited_for_then_given_up_in_one_line(city, smtp):
    """Another process holds the file (as the web app does): a short wait gives up in one
    line having sent nothing; a longer one sends once the holder lets go."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.readline()"),
        str(city)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        gave_up = run_cli(["send", "reminders", "--period", PERIOD],
                          cli_env(city, **smtp.settings(), INDICATORS_DB_WAIT="1"))
        assert gave_up.returncode == 1 and gave_up.stdout == ""
        assert gave_up.stderr.strip() == (f"数据库 {city} 被另一个进程占用，等待 1 秒后仍未释放；"
                                          "本次未发送任何消息，下次运行时会再试。")
        waiting = subprocess.Popen([sys.executable, "-m", "indicators", "send", "reminders", "--period", PERIOD],
                                   env=cli_env(city, **smtp.settings(), INDICATORS_DB_WAIT="120"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None and smtp.messages == []  # still waiting for the file
        holder.communicate("go\n", timeout=30)  # the holder lets go
        out, err = waiting.communicate(timeout=180)
        assert waiting.returncode == 0, err
        assert "已发送  邮件 → 乙县" in out and len(smtp.messages) == 2
    finally:
        holder.kill()
        holder.wait(timeout=10)
