"""The bureau's wall-clock time.

Upload times decide 按时/逾期 against a deadline like "the 5th of next month, 23:59", so
they are stored as the bureau's local time (naive), whatever zone the server runs in.
``INDICATORS_TZ`` names the zone (default Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Asia/Shanghai"


def local_now() -> dt.datetime:
    name = os.environ.get("INDICATORS_TZ", DEFAULT_TZ)
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TZ)
    return dt.datetime.now(zone).replace(tzinfo=None)
