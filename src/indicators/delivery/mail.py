"""Email over SMTP: a MIME message with Chinese attachment names, sent with STARTTLS or
implicit TLS and a login, as the bureau's mail server requires.

Attachment names are encoded by RFC 2231 (``filename*0*=utf-8''…`` continuations) in
Content-Disposition, as Outlook, Foxmail, Thunderbird and the web mailers read them. No
Content-Type ``name`` copy: Python's header folder mangles a long subtype followed by a
non-ASCII parameter (``application/=?utf-8?q?vnd…``), which would break every client.
The body is base64 UTF-8, so no server needs 8BITMIME.
Every failure is one Chinese line (``SendFailed``) that names what to check; secrets
never appear in it.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses

from indicators.delivery.channels import SECURITY_LABELS, redact, smtp_port
from indicators.errors import IndicatorsError
from indicators.settings import Settings


class SendFailed(IndicatorsError):
    """A message could not be handed over; ``str`` is the Chinese reason (no secrets)."""


@dataclass(frozen=True)
class Attachment:
    name: str  # 2026年10月示例市重点指标调度表.xlsx
    data: bytes
    mime: str  # application/vnd.openxmlformats-officedocument.spreadsheetml.sheet


def valid_address(text: str) -> bool:
    """A plain check that ``text`` looks like one mailbox (``a@b.c``), not full RFC 5322."""
    parts = text.strip().split("@")
    return len(parts) == 2 and all(parts) and "." in parts[1] and not any(c in text for c in " ,;<>")


def build_message(s: Settings, to: list[str], subject: str, body: str,
                  attachments: tuple[Attachment, ...] | list[Attachment] = (), *, message_id: str) -> EmailMessage:
    """The message as it goes out: UTF-8 text body, attachments as base64 parts."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = s.smtp_from
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    msg.set_content(body, charset="utf-8", cte="base64")
    for a in attachments:
        maintype, subtype = a.mime.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.name)
    return msg


def message_id(key_digest: str, s: Settings) -> str:
    """A Message-ID made from the delivery's key: a retried message keeps its identity."""
    domain = (getaddresses([s.smtp_from])[0][1].rpartition("@")[2] or "indicators.invalid").strip()
    return f"<{key_digest}@{domain}>"


def send(s: Settings, msg: EmailMessage) -> list[str]:
    """Hand ``msg`` to the SMTP server; returns the recipients it refused (the others got it).
    Raises ``SendFailed`` when nobody got it."""
    try:
        refused = _session(s, msg)
    except smtplib.SMTPAuthenticationError:
        raise SendFailed(f"邮件服务器拒绝登录：请检查 INDICATORS_SMTP_USER（{s.smtp_user}）和 INDICATORS_SMTP_PASSWORD") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendFailed(f"邮件服务器不支持所需功能（{_short(exc, s)}）：请检查 INDICATORS_SMTP_SECURITY"
                         f"（当前 {SECURITY_LABELS[s.smtp_security]}）和 INDICATORS_SMTP_USER") from None
    except smtplib.SMTPRecipientsRefused as exc:
        who = "、".join(exc.recipients)
        raise SendFailed(f"邮件服务器拒收全部收件人：{who}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendFailed(f"邮件服务器拒绝发件人 {exc.sender}：{_short(exc, s)}") from None
    except ssl.SSLError as exc:
        raise SendFailed(f"与邮件服务器建立加密连接失败（{_short(exc, s)}）：请检查 INDICATORS_SMTP_SECURITY、"
                         "端口和服务器证书（内网证书可用 INDICATORS_SMTP_CAFILE 指定）") from None
    except (socket.timeout, TimeoutError):
        raise SendFailed(f"连接邮件服务器 {s.smtp_host}:{smtp_port(s)} 超时（{s.send_timeout:g} 秒）") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"发送邮件失败（{s.smtp_host}:{smtp_port(s)}）：{_short(exc, s)}") from None
    return sorted(refused)


def _session(s: Settings, msg: EmailMessage) -> dict:
    context = ssl.create_default_context(cafile=s.smtp_cafile or None)
    port = smtp_port(s)
    if s.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(s.smtp_host, port, timeout=s.send_timeout, context=context)
    else:
        smtp = smtplib.SMTP(s.smtp_host, port, timeout=s.send_timeout)
    with smtp:
        if s.smtp_security == "starttls":
            smtp.starttls(context=context)
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password)
        return smtp.send_message(msg)


def _short(exc: BaseException, s: Settings) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, smtplib.SMTPResponseException):
        err = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        text = f"{exc.smtp_code} {err}"
    return redact(" ".join(text.split())[:300], s)
