"""Local stand-ins for the services a bureau sends through, all on 127.0.0.1 (the
fixtures that start them are in this folder's conftest.py):

- ``smtp`` — aiosmtpd with STARTTLS (or implicit TLS, or neither) and a login, keeping
  every message as it arrived (the raw bytes, to check what a mail client would see);
- ``robots`` — one stdlib HTTP server playing DingTalk and WeCom: it checks DingTalk's
  加签 (timestamp + HMAC-SHA256 over ``f"{timestamp}\\n{secret}"``, base64) and WeCom's
  4096-byte markdown limit exactly as those services answer, can be told to fail, and
  also serves as an HTTP proxy (a request for an absolute URL is recorded as proxied);
- ``city`` — the tiny city of tests/conftest.py as a database file, with contacts.

Everything is bounded: servers stop at the end of each test, clients time out in seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from actors import ADMIN

from indicators.db.batches import write_batch
from indicators.db.connection import connect
from indicators.settings import Settings
from indicators.setup import workbook

SMTP_USER, SMTP_PASSWORD = "yddd", "smtp-secret-pw-7391"
DING_TOKEN, DING_SECRET = "ding-token-5521", "SECding-secret-0416"
WECOM_KEY = "wecom-key-8830"
SENDER = "示例市科技局 <yddd@kjj.example.invalid>"
PERIOD = "2026-10"  # the tiny city's month: 乙县 (B) has not sent 高新技术企业数 and 研发活动空白率


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- TLS certificate

# ---------------------------------------------------------------- SMTP

@dataclass
class Received:
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SmtpServer:
    port: int
    security: str
    cafile: str
    messages: list[Received] = field(default_factory=list)
    fail: int = 0  # answer 451 to the next ``fail`` messages

    def settings(self, **extra) -> dict[str, str]:
        env = {"INDICATORS_SMTP_HOST": "127.0.0.1", "INDICATORS_SMTP_PORT": str(self.port),
               "INDICATORS_SMTP_SECURITY": self.security, "INDICATORS_SMTP_FROM": SENDER,
               "INDICATORS_SMTP_CAFILE": self.cafile}
        if self.security != "none":
            env |= {"INDICATORS_SMTP_USER": SMTP_USER, "INDICATORS_SMTP_PASSWORD": SMTP_PASSWORD}
        return env | extra

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


class SmtpHandler:
    def __init__(self, server: SmtpServer):
        self.server = server
        self.lock = threading.Lock()

    async def handle_DATA(self, smtp, session, envelope):
        with self.lock:
            if self.server.fail > 0:
                self.server.fail -= 1
                return "451 4.3.0 temporarily unavailable (test)"
            self.server.messages.append(Received(list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"


def smtp_login_check(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
        and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


# ---------------------------------------------------------------- DingTalk and WeCom

@dataclass
class RobotMessage:
    channel: str
    payload: dict
    proxied: bool


class RobotServer:
    """DingTalk at ``/robot/send``, WeCom at ``/cgi-bin/webhook/send``, as they answer."""

    def __init__(self):
        self.messages: list[RobotMessage] = []
        self.rejected: list[tuple[str, int]] = []  # (channel, errcode) of refused requests
        self.fail = {"dingtalk": 0, "wecom": 0}  # answer HTTP 503 to the next n requests
        self.fail_nth = {"dingtalk": set(), "wecom": set()}  # … and to these requests (1-based)
        self.count = {"dingtalk": 0, "wecom": 0}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = server.answer(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def settings(self, **extra) -> dict[str, str]:
        return {"INDICATORS_DINGTALK_URL": self.url, "INDICATORS_DINGTALK_TOKEN": DING_TOKEN,
                "INDICATORS_DINGTALK_SECRET": DING_SECRET, "INDICATORS_WECOM_URL": self.url,
                "INDICATORS_WECOM_KEY": WECOM_KEY} | extra

    def of(self, channel: str) -> list[dict]:
        return [m.payload for m in self.messages if m.channel == channel]

    def answer(self, path: str, body: bytes) -> tuple[int, dict]:
        proxied = path.startswith("http://")
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        channel = "dingtalk" if url.path == "/robot/send" else "wecom" if url.path == "/cgi-bin/webhook/send" else None
        if channel is None:
            return 404, {"errcode": 404, "errmsg": "no such robot"}
        with self.lock:
            self.count[channel] += 1
            if self.fail[channel] > 0 or self.count[channel] in self.fail_nth[channel]:
                self.fail[channel] = max(self.fail[channel] - 1, 0)
                return 503, {"errcode": -1, "errmsg": "service unavailable (test)"}
        payload = json.loads(body.decode("utf-8"))
        code, why = (_check_dingtalk if channel == "dingtalk" else _check_wecom)(query, payload)
        with self.lock:
            if code:
                self.rejected.append((channel, code))
                return 200, {"errcode": code, "errmsg": why}
            self.messages.append(RobotMessage(channel, payload, proxied))
        return 200, {"errcode": 0, "errmsg": "ok"}

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _check_dingtalk(query: dict, payload: dict) -> tuple[int, str]:
    """What DingTalk checks: the token, a timestamp within an hour, the signature."""
    if query.get("access_token") != DING_TOKEN:
        return 300001, "token is not exist"
    try:
        ts = int(query["timestamp"])
    except (KeyError, ValueError):
        return 310000, "sign not match: no timestamp"
    if abs(time.time() * 1000 - ts) > 3600 * 1000:
        return 310000, "timestamp expired"
    digest = hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    if query.get("sign") != base64.b64encode(digest).decode():  # parse_qs has URL-decoded it
        return 310000, "sign not match"
    if payload.get("msgtype") != "markdown" or not payload["markdown"].get("title"):
        return 40035, "invalid markdown message"
    return 0, ""


def _check_wecom(query: dict, payload: dict) -> tuple[int, str]:
    if query.get("key") != WECOM_KEY:
        return 93000, "invalid webhook url"
    if payload.get("msgtype") != "markdown":
        return 40008, "invalid message type"
    if len(payload["markdown"]["content"].encode("utf-8")) > 4096:
        return 40058, "markdown.content exceed max length 4096"
    return 0, ""


# ---------------------------------------------------------------- the city with contacts

CONTACTS = [  # 甲区 (A) and 甲区园区 (Z) reported everything; 乙县 (B) is late
    dict(org_unit="A", name="甲区填报员", email="a@example.invalid", mobile="10000000001", wecom_id="jiaqu"),
    dict(org_unit="B", name="乙县填报员", email="b@example.invalid", mobile="10000000002", wecom_id="yixian"),
    dict(org_unit="B", name="乙县科技局", email="b2@example.invalid", mobile=None, wecom_id=None),
    dict(org_unit="Z", name="园区填报员", email="z@example.invalid", mobile="10000000003", wecom_id=None),
    dict(org_unit=None, name="张局长", email="leader@kjj.example.invalid", receives="pack"),
    dict(org_unit=None, name="综合科", email="zhk@kjj.example.invalid", receives="reminder,pack"),
]


def contact_frame(rows=CONTACTS) -> pd.DataFrame:
    cols = [c.name for c in workbook.SHEETS["contact"][1]]
    out = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols).astype(object)
    out["receives"] = [r.get("receives") or ("reminder" if r.get("org_unit") else "pack") for r in rows]
    out["sort_order"] = range(len(rows))
    return out.where(out.notna(), None)


def make_city(path: Path) -> Path:
    from builders import AT, tiny_observations, tiny_setup
    frames = tiny_setup() | {"contact": contact_frame()}
    con = connect(path, create=True)
    try:
        workbook.load_setup(con, frames, actor=ADMIN, at=AT)
        write_batch(con, tiny_observations(), file_name="tiny.xlsx", actor=ADMIN, at=AT)
    finally:
        con.close()
    return path


def settings_from(env: dict[str, str], db: Path) -> Settings:
    from indicators.settings import load
    return load(env | {"INDICATORS_DB": str(db)})


def cli_env(db: Path, **extra: str) -> dict[str, str]:
    """The environment of an ``indicators`` subprocess: no proxy, no inherited settings, the
    suite's pinned day."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith("INDICATORS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    import testdate  # the suite's day, unless the test pins another
    return keep | {"INDICATORS_DB": str(db), "INDICATORS_TODAY": testdate.TODAY.isoformat(),
                   "PYTHONIOENCODING": "utf-8"} | extra


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indicators", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
