"""The tiny city with 乙县's October figures sent in a batch of their own (for timeliness)."""

from __future__ import annotations

import datetime as dt

from actors import ADMIN
from builders import AT, tiny_observations, tiny_setup

from indicators.db import batches, connection
from indicators.db.connection import Connection
from indicators.setup import workbook


def late_city(*, on_time: dt.datetime, late: dt.datetime) -> Connection:
    """In memory: everything but 乙县's 2026-10 uploaded at ``on_time``, those at ``late``."""
    obs = tiny_observations()
    con = connection.connect(connection.MEMORY)
    workbook.load_setup(con, tiny_setup(), actor=ADMIN, at=AT)
    b = (obs["org_unit"] == "B") & (obs["period"] == "2026-10")
    batches.write_batch(con, obs[~b], file_name="a.xlsx", actor=ADMIN, at=on_time)
    batches.write_batch(con, obs[b], file_name="b.xlsx", actor=ADMIN, at=late)
    return con
