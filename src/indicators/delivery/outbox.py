"""Planning and sending: what goes where, claimed once, sent, recorded.

    report = send_reminders(db, "2026-10", ["email", "dingtalk"], settings, now)
    report = send_pack(db, "2026-10", ["email"], settings, now, dry_run=True)   # writes and sends nothing
    report = send_due(db, settings, now)                                      # what the timer runs

``db`` is a callable giving a short-lived connection (``ShortConnections`` for the CLI, the
page's own connection in the app). Each step — plan, claim, record — opens it briefly
and nothing holds the database while a message is on its way, so two ``send due``
processes on the embedded file take turns and the claim decides who sends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ContextManager

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.delivery import contacts, ledger, mail, schedule, webhooks
from indicators.delivery.channels import CHANNEL_LABELS, redact
from indicators.delivery.ledger import Slot
from indicators.delivery.messages import Message, Pack, summary_reminder, trial_message, unit_reminder
from indicators.errors import IndicatorsError
from indicators.returns import completeness
from indicators.rules import periods
from indicators.settings import Settings

Database = Callable[[], ContextManager[Connection]]
GROUP = "group"  # the recipient of a robot message: the channel's one 月调度 group
GROUP_NAME = "月调度群"


def shared(con: Connection) -> Database:
    """A ``Database`` over a connection someone else owns (the app's): never closed here."""
    return lambda: contextlib.nullcontext(con)


@dataclass(frozen=True)
class Outgoing:
    slot: Slot
    message: Message
    problem: str | None = None  # known before sending (no address): the delivery fails with it


@dataclass(frozen=True)
class Result:
    slot: Slot
    outcome: str  # sent | failed | skipped | planned (dry run)
    detail: str = ""
    attachments: tuple[str, ...] = ()
    goes: bool = False  # planned: a real run would send it (or record its known problem)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)  # what was decided, in Chinese
    results: list[Result] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.outcome == "failed" for r in self.results)

    def extend(self, other: "Report") -> "Report":
        self.lines += other.lines
        self.results += other.results
        return self


# ---------------------------------------------------------------- planning (reads only)

def plan_reminders(con: Connection, period: str, channels: list[str], s: Settings,
                   now: dt.datetime, slot: str) -> tuple[list[Outgoing], set[str], list[str]]:
    """The 催报 of ``period``: one email per late unit (to its 填报联系人), a copy of the whole
    list to bureau contacts who receive 催报, and one summary per group robot. Returns
    (outgoing, late unit codes, notes)."""
    detail = completeness.completeness(con, period, settings=s, now=now)
    chase = completeness.chase_list(detail)
    if chase.empty:
        return [], set(), [f"{periods.label(period)}各单位均已报齐，无需催报。"]
    book = contacts.load(con)
    late = set(chase["org_unit"])
    out: list[Outgoing] = []
    if "email" in channels:
        for unit, name in zip(chase["org_unit"], chase["org_unit_name"]):
            to = contacts.emails(contacts.of_unit(book, unit))
            msg = unit_reminder(detail, period, unit, s)
            problem = None if to else f"{name}没有接收催报的联系人邮箱：请在设置工作簿「联系人」表填写"
            out.append(Outgoing(Slot("reminder", period, "email", unit, slot, name, ", ".join(to), msg.subject),
                                msg, problem))
        bureau = contacts.receiving(book, "reminder")
        bureau = bureau[bureau["org_unit"].isna()]
        msg = summary_reminder(detail, period, s)
        for name, address in zip(bureau["name"], bureau["email"]):
            if isinstance(address, str) and address:
                out.append(Outgoing(Slot("reminder", period, "email", address, slot, name, address, msg.subject), msg))
    people = contacts.receiving(book, "reminder")
    mobiles, ids = contacts.mentions(people[people["org_unit"].isin(late)])
    for ch in ("dingtalk", "wecom"):
        if ch in channels:
            msg = summary_reminder(detail, period, s, mobiles, ids)
            out.append(Outgoing(Slot("reminder", period, ch, GROUP, slot, GROUP_NAME, "", msg.subject), msg))
    return out, late, []


def plan_pack(con: Connection, period: str, channels: list[str], s: Settings,
              now: dt.datetime, slot: str = "") -> tuple[list[Outgoing], Pack | None, list[str]]:
    """The pack of ``period``: one email per bureau contact who receives 通报 (files
    attached), one message per group robot (files linked)."""
    from indicators import report
    summary = report.build_summary(con, period, settings=s)
    if summary.indicators.empty:
        return [], None, [f"{periods.label(period)}没有指标数据，不发送月调度材料。"]
    pack = Pack(summary, s, issued=now.date())
    out: list[Outgoing] = []
    if "email" in channels:
        msg = pack.email()
        people = contacts.receiving(contacts.load(con), "pack")
        addressed = [(n, e) for n, e in zip(people["name"], people["email"]) if isinstance(e, str) and e]
        for name, address in addressed:
            out.append(Outgoing(Slot("pack", period, "email", address, slot, name, address, msg.subject), msg))
        if not addressed:
            out.append(Outgoing(Slot("pack", period, "email", "（无收件人）", slot, "通报收件人", "", msg.subject), msg,
                                "没有接收通报的联系人邮箱：请在设置工作簿「联系人」表填写（接收：通报）"))
    for ch in ("dingtalk", "wecom"):
        if ch in channels:
            msg = pack.robot(webhooks.limit_of(ch))
            out.append(Outgoing(Slot("pack", period, ch, GROUP, slot, GROUP_NAME, "", msg.subject), msg))
    return out, pack, []


# ---------------------------------------------------------------- sending

def deliver(db: Database, items: list[Outgoing], s: Settings, now: dt.datetime, pack: Pack | None = None,
            *, dry_run: bool = False) -> list[Result]:
    """Claim, send and record each item; with ``dry_run`` only say what would happen."""
    if dry_run:
        return _preview(db, items, s, now, pack)
    results = []
    for item in items:
        key = item.slot.key
        with db() as con:
            won = ledger.claim(con, item.slot, now, s.send_max_attempts)
            row = ledger.rows(con, [key]).get(key)
        if not won:
            results.append(Result(item.slot, "skipped", ledger.status_text(row, now, s.send_max_attempts)))
            continue
        results.append(_send_claimed(db, item, s, now, pack, start=int(row["parts_sent"])))
    return results


def _send_claimed(db: Database, item: Outgoing, s: Settings, now: dt.datetime, pack: Pack | None,
                  start: int) -> Result:
    key, retry = item.slot.key, item.slot.kind != "test"
    files = pack.names if (pack is not None and item.message.attach_pack) else []
    try:
        note = _send(db, item, s, now, pack, start)
    except Exception as exc:  # noqa: BLE001 — whatever went wrong, the row must not stay 'sending'
        error = str(exc) if isinstance(exc, IndicatorsError) else f"内部错误（{type(exc).__name__}）：{exc}"
        error = redact(error, s)[:500]
        with db() as con:
            nxt = ledger.record_failed(con, key, now, error, s.send_retry_minutes if retry else None)
            attempts = int(ledger.rows(con, [key])[key]["attempts"])
        if not retry:
            when = "测试消息不自动重试"
        elif attempts >= s.send_max_attempts:
            when = f"已失败 {attempts} 次，不再自动重试"
        else:
            when = f"将于 {nxt:%m-%d %H:%M} 后重试"
        return Result(item.slot, "failed", f"{error}（{when}）", tuple(files))
    with db() as con:
        ledger.record_sent(con, key, now, note)
    return Result(item.slot, "sent", note or "", tuple(files))


def _send(db: Database, item: Outgoing, s: Settings, now: dt.datetime, pack: Pack | None, start: int) -> str | None:
    if item.problem:
        raise mail.SendFailed(item.problem)
    msg, channel = item.message, item.slot.channel
    files = []
    if pack is not None and (msg.attach_pack or s.pack_dir):
        files = pack.files()  # rendered once per run; with pack_dir the linked files exist before the link goes out
    if channel == "email":
        to = [a for a in item.slot.address.split(", ") if a]
        email = mail.build_message(s, to, msg.subject, msg.text, files if msg.attach_pack else [],
                                   message_id=mail.message_id(item.slot.digest, s))
        refused = mail.send(s, email)
        return f"以下收件人被服务器拒收：{'、'.join(refused)}" if refused else None
    parts = _robot_parts(channel, msg)
    for i in range(start, len(parts)):
        webhooks.post(s, channel, *_robot_request(channel, msg, parts, i, s))
        with db() as con:
            ledger.record_progress(con, item.slot.key, i + 1, now)
    return f"分 {len(parts)} 条发送" if len(parts) > 1 else None


def _robot_parts(channel: str, msg: Message) -> list[str]:
    mention = webhooks.dingtalk_payload("", "", list(msg.mobiles))["markdown"]["text"] if channel == "dingtalk" \
        else webhooks.wecom_payload("", list(msg.wecom_ids))["markdown"]["content"]
    return webhooks.split_markdown(msg.text, webhooks.limit_of(channel) - len(mention.encode("utf-8")))


def _robot_request(channel: str, msg: Message, parts: list[str], i: int, s: Settings) -> tuple[str, dict]:
    """(url, payload) of part ``i``; mentions go with the last part only."""
    last = i == len(parts) - 1
    if channel == "dingtalk":
        from indicators.clock import epoch_ms
        title = msg.subject if len(parts) == 1 else f"{msg.subject}（{i + 1}/{len(parts)}）"
        return (webhooks.dingtalk_address(s, epoch_ms()),
                webhooks.dingtalk_payload(title, parts[i], list(msg.mobiles) if last else []))
    return webhooks.wecom_address(s), webhooks.wecom_payload(parts[i], list(msg.wecom_ids) if last else [])


def _preview(db: Database, items: list[Outgoing], s: Settings, now: dt.datetime, pack: Pack | None) -> list[Result]:
    with db() as con:
        have = ledger.rows(con, [i.slot.key for i in items])
    out = []
    for item in items:
        row = have.get(item.slot.key)
        files = tuple(pack.names) if (pack is not None and item.message.attach_pack) else ()
        goes = True
        if row is None:
            detail = f"不会送达：{item.problem}" if item.problem else "将发送"
        elif row["status"] == "failed" and int(row["attempts"]) < s.send_max_attempts \
                and row["next_attempt_at"] is not None and row["next_attempt_at"] <= now:
            detail = f"将重试（第 {int(row['attempts']) + 1} 次）"
        else:
            goes, detail = False, "不发送：" + ledger.status_text(row, now, s.send_max_attempts)
        out.append(Result(item.slot, "planned", detail, files, goes))
    return out


# ---------------------------------------------------------------- the commands

def send_reminders(db: Database, period: str, channels: list[str], s: Settings, now: dt.datetime, *,
                   actor: Actor, dry_run: bool = False) -> Report:
    """Today's 催报 of ``period`` to the units still late, once per unit, channel and day,
    sent by ``actor`` (who may ``send``; a dry run only previews and needs no right)."""
    if not dry_run:
        permissions.require(actor, "send")
    slot = now.date().isoformat()
    with db() as con:
        items, late, notes = plan_reminders(con, period, channels, s, now, slot)
        if not dry_run:
            con.write(lambda tx: _tidy_reminders(tx, period, slot, late, now), data=False)
    report = Report(lines=[f"催报 {periods.label(period)}（{slot}）：{len(late)} 个单位未报齐"] + notes)
    report.results = deliver(db, items, s, now, dry_run=dry_run)
    if not dry_run:
        _audit(db, actor, f"催报 {periods.label(period)}", report, now)
    return report


def _audit(db: Database, actor: Actor, what: str, report: Report, now: dt.datetime) -> None:
    """One audit row per send: who sent what, and how many messages went."""
    sent = sum(r.outcome == "sent" for r in report.results)
    with db() as con:
        con.write(lambda tx: audit(tx, actor, "send", f"{what}：发出 {sent} 条，共 {len(report.results)} 条", at=now),
                  data=False)  # the audit log and the ledger are bookkeeping: no cached result reads them


def requeue(db: Database, actor: Actor, key: str, now: dt.datetime) -> bool:
    """Put a given-up delivery back in the queue (``ledger.requeue``), by ``actor``."""
    permissions.require(actor, "send")
    def work(tx: Connection) -> bool:
        ok = ledger.requeue(tx, key, now)
        if ok:  # the line exists exactly when the change does
            audit(tx, actor, "send", f"重新排队：{key}", at=now)
        return ok
    with db() as con:
        return con.write(work, data=False)


def _tidy_reminders(con: Connection, period: str, slot: str, late: set[str], now: dt.datetime) -> None:
    """Failed reminders that are no longer needed say why instead of waiting for a retry:
    an earlier day's (today's reminder takes over) and a unit's that has since reported.
    One write unit (``con`` is the caller's ``Connection.write``)."""
    con.execute("""UPDATE delivery SET status = 'cancelled', next_attempt_at = NULL, updated_at = ?,
                          error = coalesce(error || '；', '') || ?
                   WHERE kind = 'reminder' AND period = ? AND status = 'failed' AND slot < ?""",
                [now, f"由 {slot} 的催报接替", period, slot])
    reported = con.execute("""SELECT key, recipient FROM delivery WHERE kind = 'reminder' AND period = ?
                              AND status = 'failed' AND channel = 'email'""", [period]).fetchall()
    units = {r[0] for r in con.execute("SELECT code FROM org_unit").fetchall()}
    for key, recipient in reported:
        if recipient in units and recipient not in late:
            ledger.record_cancelled(con, key, now, "该单位已报齐，不再催报")


def resend_slot(now: dt.datetime) -> str:
    """The slot of a deliberate resend: a new delivery next to the month's first one."""
    return f"resend-{now:%Y%m%dT%H%M%S}"


def send_pack(db: Database, period: str, channels: list[str], s: Settings, now: dt.datetime, *,
              actor: Actor, slot: str = "", dry_run: bool = False, only: set[str] | None = None) -> Report:
    """The pack of ``period`` to ``channels``, once per recipient and ``slot`` ('' the
    month's pack, ``resend_slot`` a resend), sent by ``actor`` (who may ``send``). ``only``:
    just these delivery keys (retries)."""
    if not dry_run:
        permissions.require(actor, "send")
    with db() as con:
        items, pack, notes = plan_pack(con, period, channels, s, now, slot)
    if only is not None:
        items = [i for i in items if i.slot.key in only]
    report = Report(lines=[f"月调度材料 {periods.label(period)}" + ("（补发）" if slot else "")] + notes)
    report.results = deliver(db, items, s, now, pack, dry_run=dry_run)
    if not dry_run:
        _audit(db, actor, f"月调度材料 {periods.label(period)}", report, now)
    return report


def send_test(db: Database, channel: str, s: Settings, now: dt.datetime, address: str | None = None, *,
              actor: Actor) -> Report:
    """A test message on ``channel`` (email: to ``address``, default the sender), logged like any other."""
    permissions.require(actor, "send")
    msg = trial_message(CHANNEL_LABELS[channel], now, s)
    if channel == "email":
        address = address or mail.getaddresses([s.smtp_from])[0][1]
        slot = Slot("test", "", channel, address, f"{now:%Y-%m-%dT%H:%M:%S.%f}", address, address, msg.subject)
    else:
        slot = Slot("test", "", channel, GROUP, f"{now:%Y-%m-%dT%H:%M:%S.%f}", GROUP_NAME, "", msg.subject)
    report = Report(lines=[f"测试消息：{CHANNEL_LABELS[channel]}"], results=deliver(db, [Outgoing(slot, msg)], s, now))
    _audit(db, actor, f"测试消息（{CHANNEL_LABELS[channel]}）", report, now)
    return report


def send_due(db: Database, s: Settings, now: dt.datetime, *, actor: Actor, dry_run: bool = False) -> Report:
    """What the timer runs: today's 催报, the pack when due, and the retries that are due."""
    from indicators.delivery.channels import usable
    due = schedule.due_at(now, s)
    report = Report(lines=[f"{now:%Y-%m-%d %H:%M} 到期检查："] + [f"  {x}" for x in schedule.describe(due, now, s)])
    if not usable(s, tuple(set(s.remind_to) | set(s.pack_to))):
        report.lines.append("没有已配置的发送渠道，未发送任何消息（见 indicators send channels）。")
        return report
    if due.reminder_period:
        report.extend(send_reminders(db, due.reminder_period, usable(s, s.remind_to), s, now, actor=actor,
                                     dry_run=dry_run))
    if due.pack_period:
        report.extend(send_pack(db, due.pack_period, usable(s, s.pack_to), s, now, actor=actor, dry_run=dry_run))
    return report.extend(_retry_packs(db, s, now, {r.slot.key for r in report.results}, dry_run, actor))


def _retry_packs(db: Database, s: Settings, now: dt.datetime, handled: set[str], dry_run: bool,
                 actor: Actor) -> Report:
    """Failed packs of earlier months (or resends) whose retry is due. Reminders are not
    retried here: each day's reminder replaces the last, and tests are not retried."""
    with db() as con:
        due = ledger.retries_due(con, now, s.send_max_attempts)
    due = due[(due["kind"] == "pack") & ~due["key"].isin(handled)]
    report = Report()
    for (period, slot), rows in due.groupby(["period", "slot"], sort=True):
        report.extend(send_pack(db, period, sorted(set(rows["channel"])), s, now, actor=actor, slot=slot,
                                dry_run=dry_run, only=set(rows["key"])))
    return report
