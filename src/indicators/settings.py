"""Settings: one frozen dataclass, read once at the edge and passed down.

``load(env, secrets)`` is called by the CLI's ``main`` and by ``ui.settings()`` (the web
app, once per session); nothing else reads the environment. Every field names its
environment variable, a parser that checks the value, and one line of documentation —
the README's settings table lists them all (``tests/test_settings.py`` checks it). A bad
value raises ``SettingError``: one Chinese line naming the setting (the CLI exits 2, the
app shows the line and stops). Adding a setting is one line here plus its README row:

    lock_days: int = setting(0, "INDICATORS_LOCK_DAYS", integer(0, 365), "月份锁定前的天数")
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from indicators.errors import IndicatorsError

DEFAULT_DB = Path("data") / "indicators.duckdb"
CHANNELS = ("email", "dingtalk", "wecom")  # delivery channels, in display order
DEFAULT_LOCK_WAIT = 10.0  # seconds; also the default of db.connection.connect


class SettingError(IndicatorsError):
    """A setting with a value it cannot take (the message names it)."""


# ---------------------------------------------------------------- parsers: text → value or ValueError(why)

def text(raw: str) -> str:
    return raw


def path(raw: str) -> Path:
    return Path(raw).expanduser()


def database(raw: str) -> Path | str:
    """A DuckDB file (a ``Path``) or a PostgreSQL URL ``postgresql://USER@HOST:PORT/DB``
    (kept as text: a ``Path`` would fold its ``//``)."""
    raw = raw.strip()
    if not re.match(r"^postgres(ql)?://", raw, re.IGNORECASE):
        return Path(raw).expanduser()
    from urllib.parse import urlsplit
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        parts = None
    if parts is None or not parts.hostname or not parts.path.strip("/"):
        raise ValueError("PostgreSQL 地址应为 postgresql://用户@主机:端口/数据库名")
    return raw


def integer(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not re.fullmatch(r"[+-]?\d+", raw.strip()) or not lo <= int(raw) <= hi:
            raise ValueError(f"应为 {lo}–{hi} 的整数")
        return int(raw)
    return parse


def number(lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip().replace("−", "-"))
        except ValueError:
            value = float("nan")
        if not lo <= value <= hi:  # NaN fails too
            raise ValueError(f"应为 {lo:g} 到 {hi:g} 之间的数{unit}")
        return value
    return parse


def choice(**options: str) -> Callable[[str], str]:
    """One of the keys of ``options`` (their values say what each means)."""
    def parse(raw: str) -> str:
        if raw.strip() not in options:
            raise ValueError("应为 " + " 或 ".join(f"{k}（{v}）" for k, v in options.items()))
        return raw.strip()
    return parse


def zone(raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("应为时区名称，如 Asia/Shanghai") from None
    return raw.strip()


def day(raw: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            raise ValueError
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("应为日期 YYYY-MM-DD，如 2027-01-05") from None


def clock_time(raw: str) -> dt.time:
    if not re.fullmatch(r"\d{1,2}:\d{2}", raw.strip()):
        raise ValueError("应为时刻 HH:MM，如 08:30")
    try:
        return dt.time.fromisoformat(raw.strip().zfill(5))
    except ValueError:
        raise ValueError("应为时刻 HH:MM，如 08:30") from None


def web_address(raw: str) -> str:
    if not re.fullmatch(r"https?://\S+", raw.strip()):
        raise ValueError("应为以 http:// 或 https:// 开头的地址")
    return raw.strip().rstrip("/")


def channels(raw: str) -> tuple[str, ...]:
    """``email,dingtalk`` → ``("email", "dingtalk")``."""
    items = tuple(dict.fromkeys(x.strip() for x in raw.replace("，", ",").split(",") if x.strip()))
    if not items or any(x not in CHANNELS for x in items):
        raise ValueError(f"应为用逗号分隔的发送渠道：{', '.join(CHANNELS)}")
    return items


def setting(default, env: str, parse: Callable[[str], object], doc: str, *, secret: bool = False):
    """A dataclass field read from ``env`` (environment or secrets) through ``parse``. A
    ``secret`` stays out of ``repr`` (tracebacks, logs) and out of error messages."""
    return field(default=default, repr=not secret,
                 metadata={"env": env, "parse": parse, "doc": doc, "secret": secret})


# ---------------------------------------------------------------- the settings

@dataclass(frozen=True)
class Settings:
    db_path: Path | str = setting(DEFAULT_DB, "INDICATORS_DB", database,
                                  "数据库：DuckDB 文件，或 PostgreSQL 地址 postgresql://用户@主机:端口/库名（命令行 --db 优先）")
    pacing: str = setting("last_year", "INDICATORS_PACING",
                          choice(last_year="按上年同期累计进度，无历史时按 m/12", linear="按月平均 m/12"),
                          "序时进度的算法（指标目标自带月度节点时按节点）")
    done_at: float = setting(1.0, "INDICATORS_DONE_AT", number(0.5, 2.0),
                             "完成率达到此值为「已完成」，1.0 即 100%")
    lagging_from_pp: float = setting(-10.0, "INDICATORS_LAGGING_FROM_PP", number(-100, 0, "（百分点）"),
                                     "差距不低于此值为「滞后」，低于此值为「严重滞后」")
    deadline_day: int = setting(5, "INDICATORS_DEADLINE_DAY", integer(1, 28),
                                "报送截止日：次月第几日（当日 24 时截止）")
    tz: str = setting("Asia/Shanghai", "INDICATORS_TZ", zone,
                      "本局所在时区：上传时间、截止日和「今天」按此时区")
    today: dt.date | None = setting(None, "INDICATORS_TODAY", day,
                                    "固定「今天」的日期（预演或测试用），默认为实际日期")
    source_label: str = setting("市科技局指标月调度系统", "INDICATORS_SOURCE", text,
                                "图表和报告上的数据来源署名")
    lock_wait: float = setting(DEFAULT_LOCK_WAIT, "INDICATORS_LOCK_WAIT", number(0, 600, "（秒）"),
                               "数据库被另一进程占用或另一写入进行中时，最多等待的秒数，之后报错且不写入")
    browser_path: Path | None = setting(None, "BROWSER_PATH", path,
                                        "导出图表 PNG 所用的 Chromium/Chrome（默认在 PATH 中查找）")
    # bounds on one return file (indicators.returns.limits): each is checked before the
    # step it protects, so a refused file costs seconds, not minutes and gigabytes
    max_file_mb: float = setting(20.0, "INDICATORS_MAX_FILE_MB", number(0.01, 1024, " MB"),
                                 "一份报表文件的大小上限（MB），超过即拒收、不读取")
    max_rows: int = setting(200_000, "INDICATORS_MAX_ROWS", integer(10, 10_000_000),
                            "报表每个工作表的行数上限")
    max_cells: int = setting(3_000_000, "INDICATORS_MAX_CELLS", integer(100, 200_000_000),
                             "一份报表读取的单元格上限（各工作表使用区域之和，含远处的空白）")
    max_unpacked_mb: float = setting(400.0, "INDICATORS_MAX_UNPACKED_MB", number(1, 16384, " MB"),
                                     ".xlsx 解压后的大小上限（MB）；解压后超过文件大小 100 倍的也拒收")
    max_problems: int = setting(200, "INDICATORS_MAX_PROBLEMS", integer(1, 10_000),
                                "每类问题最多列出的条数，其余只计数")
    lock_after_days: int = setting(10, "INDICATORS_LOCK_AFTER_DAYS", integer(0, 3650),
                                   "月份在报送截止日后第几天锁定（锁定后区县、科室不能再上传或撤回，须管理员解锁）")
    review_counts: str = setting("pending", "INDICATORS_REVIEW_COUNTS",
                                 choice(pending="待审核的数值计入调度表并标注「待审核」",
                                        approved="只计入已通过审核的数值，待审核的新数值不计入"),
                                 "哪些报送数值计入调度表")
    session_hours: float = setting(10.0, "INDICATORS_SESSION_HOURS", number(0.25, 168, "（小时）"),
                                   "登录后保持登录的时长（期间刷新浏览器不需重新登录）")
    session_key_file: Path | None = setting(None, "INDICATORS_SESSION_KEY_FILE", path,
                                            "会话签名密钥文件（默认在数据库文件旁，PostgreSQL 时在 data/ 下；首次启动时生成，"
                                            "权限 0600；多台服务器须共用同一个）")

    # ---- delivery (催报 and the monthly pack, README「发送」): secrets only from the
    # environment or st.secrets, never the repository or the database
    smtp_host: str = setting("", "INDICATORS_SMTP_HOST", text, "发信服务器（SMTP）地址；留空则不用邮件")
    smtp_port: int = setting(0, "INDICATORS_SMTP_PORT", integer(0, 65535),
                             "发信服务器端口；0 按加密方式取 465（ssl）、587（starttls）或 25（none）")
    smtp_security: str = setting("starttls", "INDICATORS_SMTP_SECURITY",
                                 choice(starttls="连接后 STARTTLS 加密", ssl="直接 SSL/TLS 连接", none="不加密（仅限内网）"),
                                 "与发信服务器的加密方式")
    smtp_user: str = setting("", "INDICATORS_SMTP_USER", text, "发信登录用户名；留空则不登录")
    smtp_password: str = setting("", "INDICATORS_SMTP_PASSWORD", text, "发信登录密码（密钥）", secret=True)
    smtp_from: str = setting("", "INDICATORS_SMTP_FROM", text, "发件人，如 示例市科技局 <yddd@kjj.example.invalid>")
    smtp_cafile: str = setting("", "INDICATORS_SMTP_CAFILE", text, "校验发信服务器证书所用的 CA 证书文件（内网自签证书时）")
    dingtalk_url: str = setting("https://oapi.dingtalk.com", "INDICATORS_DINGTALK_URL", web_address,
                                "钉钉机器人接口地址（测试或内网转发时改）")
    dingtalk_token: str = setting("", "INDICATORS_DINGTALK_TOKEN", text,
                                  "钉钉群机器人的 access_token（或整个 Webhook 地址；密钥）", secret=True)
    dingtalk_secret: str = setting("", "INDICATORS_DINGTALK_SECRET", text, "钉钉机器人「加签」密钥 SEC…（密钥）",
                                   secret=True)
    wecom_url: str = setting("https://qyapi.weixin.qq.com", "INDICATORS_WECOM_URL", web_address,
                             "企业微信机器人接口地址（测试或内网转发时改）")
    wecom_key: str = setting("", "INDICATORS_WECOM_KEY", text, "企业微信群机器人的 key（或整个 Webhook 地址；密钥）",
                             secret=True)
    send_proxy: str = setting("", "INDICATORS_SEND_PROXY", web_address,
                              "访问钉钉、企业微信所经的 HTTP 代理；不读取环境的 http_proxy")
    send_timeout: float = setting(20.0, "INDICATORS_SEND_TIMEOUT", number(1, 600, " 秒"), "每次连接发信服务器或机器人的超时")
    app_url: str = setting("", "INDICATORS_APP_URL", web_address, "同事访问本系统的地址，用于消息中的链接")
    pack_dir: str = setting("", "INDICATORS_PACK_DIR", text, "保存每次发出的月调度材料的共享文件夹")
    pack_url: str = setting("", "INDICATORS_PACK_URL", web_address, "上述共享文件夹对外的网址，机器人消息链接到其中的文件")
    remind_to: tuple[str, ...] = setting(CHANNELS, "INDICATORS_REMIND_TO", channels, "催报发往的渠道（已配置的才发）")
    pack_to: tuple[str, ...] = setting(CHANNELS, "INDICATORS_PACK_TO", channels, "月调度材料发往的渠道（已配置的才发）")
    remind_days_before: int = setting(2, "INDICATORS_REMIND_DAYS_BEFORE", integer(0, 20), "截止日前几天开始催报")
    remind_at: dt.time = setting(dt.time(9, 0), "INDICATORS_REMIND_AT", clock_time, "每天从此时刻起发送催报")
    pack_at: dt.time = setting(dt.time(8, 30), "INDICATORS_PACK_AT", clock_time, "截止日次日从此时刻起发送月调度材料")
    send_max_attempts: int = setting(5, "INDICATORS_SEND_MAX_ATTEMPTS", integer(1, 50), "一条消息最多自动尝试几次")
    send_retry_minutes: int = setting(10, "INDICATORS_SEND_RETRY_MINUTES", integer(1, 1440),
                                      "失败后首次重试的等待分钟数，此后每次加倍")
    db_wait: float = setting(60.0, "INDICATORS_DB_WAIT", number(0, 3600, " 秒"),
                             "`indicators send` 等待被其他进程占用的数据库的最长秒数")

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values that are set (to scrub from any text shown or stored)."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.metadata["secret"] and getattr(self, f.name))


def described() -> list[tuple[str, str, object, str]]:
    """(field, environment variable, default, documentation) of every setting."""
    return [(f.name, f.metadata["env"], f.default, f.metadata["doc"]) for f in fields(Settings)]


def load(env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None) -> Settings:
    """Settings from ``env`` (default ``os.environ``), then ``secrets`` (e.g. ``st.secrets``);
    an empty value counts as unset. Raises ``SettingError`` on the first bad value."""
    env = os.environ if env is None else env
    secrets = secrets or {}
    values = {}
    for f in fields(Settings):
        name = f.metadata["env"]
        raw = env.get(name)
        if raw is None or not str(raw).strip():
            raw = secrets.get(name)
        if raw is None or not str(raw).strip():
            continue
        try:
            values[f.name] = f.metadata["parse"](str(raw))
        except ValueError as exc:
            shown = "（密钥，不显示）" if f.metadata["secret"] else raw
            raise SettingError(f"设置 {name}={shown} 无效：{exc}。") from None
    return Settings(**values)
