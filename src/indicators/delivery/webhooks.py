"""Group robots: DingTalk (钉钉自定义机器人, signed) and WeCom (企业微信群机器人), markdown.

DingTalk's 加签: ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``
with ``timestamp`` in milliseconds, both sent as query parameters next to
``access_token``. WeCom's markdown content is at most 4096 bytes of UTF-8, so a longer
text is split at line ends into numbered parts (``split_markdown``). Both answer HTTP
200 with ``{"errcode": 0}`` on success; anything else is a ``SendFailed`` in Chinese.

Requests go through ``INDICATORS_SEND_PROXY`` when it is set and never through the
environment's ``http_proxy``: where a message goes is decided by the settings alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from urllib.parse import quote, quote_plus

from indicators.delivery.channels import CHANNEL_LABELS, redact, token_of
from indicators.delivery.mail import SendFailed
from indicators.settings import Settings

WECOM_LIMIT = 4096  # bytes of markdown.content (errcode 40058 beyond it)
DINGTALK_LIMIT = 20000  # DingTalk publishes no markdown limit; 20,000 bytes is its text limit
PART_MARK_BYTES = 40  # room kept in each part for its "（2/3）" mark


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value, already URL-encoded, exactly as DingTalk specifies."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_address(s: Settings, timestamp_ms: int) -> str:
    token = token_of(s.dingtalk_token, "access_token")
    url = f"{s.dingtalk_url}/robot/send?access_token={quote(token, safe='')}"
    if s.dingtalk_secret:
        url += f"&timestamp={timestamp_ms}&sign={dingtalk_sign(s.dingtalk_secret, timestamp_ms)}"
    return url


def wecom_address(s: Settings) -> str:
    return f"{s.wecom_url}/cgi-bin/webhook/send?key={quote(token_of(s.wecom_key, 'key'), safe='')}"


def limit_of(channel: str) -> int:
    return WECOM_LIMIT if channel == "wecom" else DINGTALK_LIMIT


def split_markdown(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-8 bytes, cut at line ends (a line longer
    than a part is cut between characters); parts after splitting carry "（i/n）"."""
    room = limit - PART_MARK_BYTES
    parts: list[str] = []
    current = ""
    for line in _short_lines(text.split("\n"), room):
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate.encode("utf-8")) > room:
            parts.append(current)
            current = line
        else:
            current = candidate
    parts.append(current)
    if len(parts) == 1:
        return parts
    return [f"{p}\n\n（{i}/{len(parts)}）" for i, p in enumerate(parts, start=1)]


def _short_lines(lines: list[str], room: int):
    for line in lines:
        while len(line.encode("utf-8")) > room:
            cut = room
            while len(line[:cut].encode("utf-8")) > room:
                cut -= 1
            yield line[:cut]
            line = line[cut:]
        yield line


def dingtalk_payload(title: str, text: str, mobiles: list[str]) -> dict:
    """A markdown message; DingTalk notifies the mobiles only if the text names them too."""
    if mobiles:
        text += "\n\n" + " ".join(f"@{m}" for m in mobiles)
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": False}}


def wecom_payload(text: str, user_ids: list[str]) -> dict:
    """A markdown message; WeCom markdown mentions members as ``<@userid>``."""
    if user_ids:
        text += "\n" + " ".join(f"<@{u}>" for u in user_ids)
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post(s: Settings, channel: str, url: str, payload: dict) -> None:
    """POST ``payload`` as JSON; raise ``SendFailed`` unless the robot says errcode 0."""
    label = CHANNEL_LABELS[channel]
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    proxies = {"http": s.send_proxy, "https": s.send_proxy} if s.send_proxy else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    try:
        with opener.open(request, timeout=s.send_timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"{label}返回 HTTP {exc.code}：{redact(str(exc.reason), s)}") from None
    except urllib.error.URLError as exc:
        raise SendFailed(f"无法连接{label}（{_host(url)}）：{redact(str(exc.reason), s)}") from None
    except (TimeoutError, OSError) as exc:
        raise SendFailed(f"连接{label}（{_host(url)}）失败：{redact(str(exc) or '超时', s)}") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SendFailed(f"{label}的应答不是 JSON：{redact(raw[:120].decode('utf-8', 'replace'), s)}") from None
    if answer.get("errcode") != 0:
        raise SendFailed(f"{label}拒绝了消息（errcode {answer.get('errcode')}）："
                         f"{redact(str(answer.get('errmsg', '')), s)[:200]}")


def _host(url: str) -> str:
    return url.split("?", 1)[0]
