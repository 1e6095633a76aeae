"""What a message says: 催报 from the completeness detail, the pack from the report.

The texts are not written here: a reminder is ``completeness.chase_text`` (the same 催报
text 报送记录 shows, for one unit or for all), the pack is the notice draft
(``report.notice``) and its files are ``report.render``. This module adds the subject,
the links and the attachments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from indicators import report
from indicators.delivery.mail import Attachment
from indicators.formatting import day_label
from indicators.report import notice
from indicators.returns import completeness
from indicators.rules import periods
from indicators.rules.due import deadline
from indicators.settings import Settings

PACK_FORMATS = ("xlsx", "pptx", "pdf")  # attached to the email, linked from the robots
ROBOT_MAX_PARTS = 3  # a notice longer than this many robot messages goes as a brief with links
FOOTER = "（本消息由指标月调度系统自动发送。）"


@dataclass(frozen=True)
class Message:
    subject: str  # email subject / robot message title
    text: str  # email body (plain text) and robot markdown: both read well as either
    mobiles: tuple[str, ...] = ()  # DingTalk @
    wecom_ids: tuple[str, ...] = ()  # WeCom <@userid>
    attach_pack: bool = False  # email only: the pack's files go with it


def _upload_link(period: str, s: Settings) -> str:
    return f"{s.app_url}/upload?month={period}" if s.app_url else ""


def unit_reminder(detail: pd.DataFrame, period: str, unit: str, s: Settings,
                  mobiles=(), wecom_ids=()) -> Message:
    """The 催报 to one unit: the chase text of its rows only."""
    own = detail[detail["org_unit"] == unit]
    name = own["org_unit_name"].iloc[0] if len(own) else unit
    return _reminder(completeness.chase_text(own, period, s), period, s, f" · {name}", mobiles, wecom_ids)


def summary_reminder(detail: pd.DataFrame, period: str, s: Settings, mobiles=(), wecom_ids=()) -> Message:
    """The 催报 to a group (or to 综合科): every late unit in one message."""
    return _reminder(completeness.chase_text(detail, period, s), period, s, "", mobiles, wecom_ids)


def _reminder(body: str, period: str, s: Settings, who: str, mobiles, wecom_ids) -> Message:
    due = deadline(period, s.deadline_day)
    link = _upload_link(period, s)
    if link:
        body += f"\n\n模板下载与上传：{link}"
    subject = f"【催报】{periods.label(period)}科技重点指标数据（截止 {day_label(due)}）{who}"
    return Message(subject=subject, text=f"{body}\n\n如已报送，请忽略本提醒。{FOOTER}",
                   mobiles=tuple(mobiles), wecom_ids=tuple(wecom_ids))


@dataclass
class Pack:
    """One month's pack: the notice as text, the files rendered once on first use."""
    summary: report.Summary
    settings: Settings
    issued: dt.date
    _files: list[Attachment] | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        return [report.file_name(self.summary, fmt) for fmt in PACK_FORMATS]

    def files(self) -> list[Attachment]:
        """The XLSX, PPTX and PDF (rendering takes seconds: only once a delivery is claimed).
        With ``pack_dir`` set, the files are also kept there, under the month."""
        if self._files is None:
            self._files = [Attachment(report.file_name(self.summary, fmt),
                                      report.render(self.summary, fmt, issued=self.issued,
                                                    deadline_day=self.settings.deadline_day),
                                      report.MIME_TYPES[fmt]) for fmt in PACK_FORMATS]
            if self.settings.pack_dir:
                folder = Path(self.settings.pack_dir) / self.summary.period
                folder.mkdir(parents=True, exist_ok=True)
                for a in self._files:
                    (folder / a.name).write_bytes(a.data)
        return self._files

    def links(self) -> list[tuple[str, str]]:
        """(label, URL): the 报告导出 page of the month, and each file in the shared folder."""
        s, p = self.settings, self.summary.period
        out = [("报告导出页（当前数据）", f"{s.app_url}/report?month={p}")] if s.app_url else []
        if s.pack_dir and s.pack_url:
            out += [(name, f"{s.pack_url}/{p}/{quote(name)}") for name in self.names]
        return out

    def subject(self) -> str:
        return f"{self.summary.period_label}{self.summary.scope_name}重点指标月调度材料"

    def notice_text(self) -> str:
        blocks = notice.notice_blocks(self.summary, issued=self.issued, deadline_day=self.settings.deadline_day)
        return notice.to_markdown(blocks)

    def email(self) -> Message:
        files = "\n".join(f"- {n}" for n in self.names)
        text = f"{self.notice_text()}\n附件：\n{files}\n{self._link_lines()}\n{FOOTER}"
        return Message(subject=self.subject(), text=text, attach_pack=True)

    def robot(self, limit: int) -> Message:
        """The group message: the whole notice when it fits in ``ROBOT_MAX_PARTS`` parts of
        ``limit`` bytes; otherwise, when there is somewhere to link to, the headline, the
        lagging indicators and the links — a group should not get seven messages in a row.
        With no link the whole notice goes, in parts: it is the only copy the group gets."""
        from indicators.delivery.webhooks import split_markdown
        links = self._link_lines()
        whole = f"{self.notice_text()}\n{links or '附件已通过邮件发送；也可在系统「报告导出」页下载。'}"
        if not links or len(split_markdown(whole, limit)) <= ROBOT_MAX_PARTS:
            return Message(subject=self.subject(), text=whole)
        return Message(subject=self.subject(), text=self._brief(links))

    def _brief(self, links: str) -> str:
        s = self.summary
        lagging = "、".join(s.lagging["indicator_name"]) if not s.lagging.empty else "无"
        return (f"# {self.subject()}\n\n{notice.headline(s)}\n\n滞后指标：{lagging}。\n\n"
                f"通报全文较长，请见邮件附件或下列链接。\n{links}")

    def _link_lines(self) -> str:
        links = self.links()
        return ("材料下载：\n" + "\n".join(f"- [{label}]({url})" for label, url in links) + "\n") if links else ""


def trial_message(channel_label: str, now: dt.datetime, s: Settings) -> Message:
    text = (f"这是指标月调度系统发出的测试消息（{channel_label}，{now:%Y-%m-%d %H:%M}）。"
            f"收到即说明发送设置正确。{FOOTER}")
    return Message(subject=f"【测试】指标月调度系统 · {channel_label}", text=text)
