"""The day the test suite lives on — never the real date.

``tests/conftest.py`` pins it for the whole session through ``INDICATORS_TODAY`` (so the
CLI run as a subprocess and ``streamlit run`` in the browser tests see the same day) and
clears every other ``INDICATORS_*`` setting a developer's shell may carry. By default it
is 2026-11-23, when the latest due month is 2026-10; run the suite as of another day with
``INDICATORS_TODAY=2027-01-03 python3 dev.py test`` — tests about the demo city follow
``AS_OF``, tests of hand-made data pin their own dates.
"""

from __future__ import annotations

import datetime as dt
import os

from indicators.rules.due import latest_due_month
from indicators.settings import Settings, day

DEFAULT = dt.date(2026, 11, 23)
TODAY: dt.date = day(os.environ["INDICATORS_TODAY"]) if os.environ.get("INDICATORS_TODAY") else DEFAULT
SETTINGS = Settings(today=TODAY)  # the defaults, on the pinned day
AS_OF: str = latest_due_month(TODAY, SETTINGS.deadline_day)  # what the demo city is built up to
AS_OF_YEAR = int(AS_OF[:4])
# a moment of the pinned day for what tests write on top of the demo city, which is
# stamped at the start of the day it is built on (so this comes later, as in real use)
AT = dt.datetime.combine(TODAY, dt.time(10, 0))


def pin_environment(environ=os.environ) -> None:
    """Only the pinned day survives of the caller's ``INDICATORS_*`` settings."""
    for name in [n for n in environ if n.startswith("INDICATORS_")]:
        del environ[name]
    environ["INDICATORS_TODAY"] = TODAY.isoformat()
