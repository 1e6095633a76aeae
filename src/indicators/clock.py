"""The bureau's clock: the only place that reads the time.

Upload times decide 按时/逾期 against a deadline like "the 5th of next month, 23:59", so
they are the bureau's local time (naive), whatever zone the server runs in
(``Settings.tz``, ``INDICATORS_TZ``). ``Settings.today`` (``INDICATORS_TODAY``) pins the
date — to rehearse what the 5 January meeting will see, and in tests — while the time
of day keeps running, so uploads made on a pinned day still come in order.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from indicators.settings import Settings


def now(settings: Settings) -> dt.datetime:
    """The bureau's local date and time (naive)."""
    local = dt.datetime.now(ZoneInfo(settings.tz)).replace(tzinfo=None)
    if settings.today is None:
        return local
    return dt.datetime.combine(settings.today, local.time())


def today(settings: Settings) -> dt.date:
    """The bureau's local date (``INDICATORS_TODAY`` when pinned)."""
    return now(settings).date()


def epoch_ms() -> int:
    """Milliseconds since 1970 (UTC), the real time — what a signature checked by a remote
    service must carry (DingTalk's 加签 timestamp), even on a pinned ``INDICATORS_TODAY``."""
    import time
    return time.time_ns() // 1_000_000
