"""The three delivery channels and how each is configured — described without secrets.

A channel is configured when its address is set (``INDICATORS_SMTP_HOST`` and a sender,
``INDICATORS_DINGTALK_TOKEN``, ``INDICATORS_WECOM_KEY``). Secrets are never shown: the
page and ``indicators send channels`` say only whether one is set, and ``redact`` scrubs
them from every error text before it is printed or stored.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd

from indicators.errors import IndicatorsError
from indicators.settings import CHANNELS, Settings

CHANNEL_LABELS = {"email": "邮件", "dingtalk": "钉钉群机器人", "wecom": "企业微信群机器人"}
SECURITY_LABELS = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "不加密"}
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class ChannelNotConfigured(IndicatorsError):
    """A channel was asked for that has no address set."""


def token_of(value: str, param: str) -> str:
    """The token itself, also when the whole webhook address was pasted into the setting
    (``https://oapi.dingtalk.com/robot/send?access_token=…`` → ``…``)."""
    if value.startswith(("http://", "https://")):
        found = parse_qs(urlsplit(value).query).get(param)
        return found[0] if found else ""
    return value


def smtp_port(s: Settings) -> int:
    return s.smtp_port or DEFAULT_PORTS[s.smtp_security]


def is_configured(s: Settings, channel: str) -> bool:
    if channel == "email":
        return bool(s.smtp_host and s.smtp_from)
    if channel == "dingtalk":
        return bool(token_of(s.dingtalk_token, "access_token"))
    if channel == "wecom":
        return bool(token_of(s.wecom_key, "key"))
    raise ValueError(channel)


def missing_setting(s: Settings, channel: str) -> str:
    """What to set to configure ``channel`` (Chinese, names the settings)."""
    if channel == "email":
        need = [n for n, v in (("INDICATORS_SMTP_HOST", s.smtp_host), ("INDICATORS_SMTP_FROM", s.smtp_from)) if not v]
        return f"{CHANNEL_LABELS[channel]}未配置：请设置 {'、'.join(need)}"
    var = "INDICATORS_DINGTALK_TOKEN" if channel == "dingtalk" else "INDICATORS_WECOM_KEY"
    return f"{CHANNEL_LABELS[channel]}未配置：请设置 {var}"


def require(s: Settings, channels: list[str] | tuple[str, ...]) -> None:
    """Raise ``ChannelNotConfigured`` naming the first channel asked for that is not set up."""
    for ch in channels:
        if not is_configured(s, ch):
            raise ChannelNotConfigured(missing_setting(s, ch) + "（见 README「发送」一节）。")


def usable(s: Settings, channels: tuple[str, ...] | list[str]) -> list[str]:
    """Of ``channels``, those configured, in the order of ``CHANNELS``."""
    return [c for c in CHANNELS if c in channels and is_configured(s, c)]


def describe(s: Settings) -> pd.DataFrame:
    """One row per channel: 渠道, 状态, 地址, 安全, 说明 — no secret, only whether it is set."""
    rows = []
    for ch in CHANNELS:
        ok = is_configured(s, ch)
        if ch == "email":
            where = f"{s.smtp_host}:{smtp_port(s)}" if s.smtp_host else "—"
            login = f"登录 {s.smtp_user}，密码{'已设置' if s.smtp_password else '未设置'}" if s.smtp_user else "不登录"
            safety = f"{SECURITY_LABELS[s.smtp_security]}，{login}"
            note = f"发件人 {s.smtp_from}" if s.smtp_from else "未设置发件人 INDICATORS_SMTP_FROM"
        elif ch == "dingtalk":
            where = f"{s.dingtalk_url}/robot/send"
            safety = "加签密钥已设置" if s.dingtalk_secret else "未设置加签密钥（机器人须用关键词或 IP 白名单）"
            note = "access_token 已设置" if ok else "未设置 INDICATORS_DINGTALK_TOKEN"
        else:
            where = f"{s.wecom_url}/cgi-bin/webhook/send"
            safety = "—"
            note = "key 已设置" if ok else "未设置 INDICATORS_WECOM_KEY"
        if ch != "email" and s.send_proxy:
            note += f"；经代理 {s.send_proxy}"
        rows.append({"渠道": CHANNEL_LABELS[ch], "状态": "已配置" if ok else "未配置", "地址": where,
                     "安全": safety, "说明": note, "channel": ch})
    return pd.DataFrame(rows)


def redact(text: str, s: Settings) -> str:
    """``text`` with every secret value (and the token inside a pasted webhook URL) masked."""
    secrets = set(s.secrets) | {token_of(s.dingtalk_token, "access_token"), token_of(s.wecom_key, "key")}
    for secret in sorted((x for x in secrets if x), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
