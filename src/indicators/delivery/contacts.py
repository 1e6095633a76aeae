"""Who receives what: the 联系人 sheet of the setup workbook, stored in ``contact``.

A row with a 单位代码 is that unit's 填报联系人 (receives 催报 by default); a row without
one is someone at the bureau — a leader or 综合科 — who receives the monthly pack (通报)
by default. Addresses are not secrets: webhook tokens are, so a group robot is a
setting (one 月调度 group per channel), never a cell of the workbook.
"""

from __future__ import annotations

import pandas as pd

from indicators.db.connection import Connection

RECEIVES_WORDS = {"催报": "reminder", "通报": "pack"}
COLUMNS = ["org_unit", "name", "email", "mobile", "wecom_id", "receives", "sort_order"]


def parse_receives(text, org_unit) -> str | None:
    """``'催报；通报'`` → ``'reminder,pack'``; blank → the default for the row; None if bad."""
    if text is None or str(text).strip() == "":
        return "reminder" if org_unit else "pack"
    words = [w.strip() for w in str(text).replace(";", "；").replace("、", "；").replace(",", "；").split("；")]
    kinds = [RECEIVES_WORDS.get(w) for w in words if w]
    return None if (not kinds or None in kinds) else ",".join(dict.fromkeys(kinds))


def receives_words(code: str) -> str:
    back = {v: k for k, v in RECEIVES_WORDS.items()}
    return "；".join(back[c] for c in str(code).split(",") if c in back)


def load(con: Connection) -> pd.DataFrame:
    """All contacts with their unit's name (``org_unit_name``; '' for the bureau)."""
    return con.execute("""
        SELECT c.org_unit, coalesce(u.name, '') AS org_unit_name, c.name, c.email, c.mobile, c.wecom_id,
               c.receives, c.sort_order
        FROM contact c LEFT JOIN org_unit u ON u.code = c.org_unit
        ORDER BY coalesce(u.sort_order, -1), c.org_unit NULLS FIRST, c.sort_order, c.name""").df()


def replace_all(con: Connection, frame: pd.DataFrame) -> None:
    """Replace every contact with ``frame`` (columns ``COLUMNS``); the caller holds the
    transaction. Contacts have no code of their own, so the sheet is the whole list."""
    con.execute("DELETE FROM contact")
    if frame.empty:
        return
    with con.registered("_contacts", frame[COLUMNS]):
        con.execute(f"INSERT INTO contact ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM _contacts")


def receiving(contacts: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Contacts who receive ``kind`` (reminder | pack)."""
    if contacts.empty:
        return contacts
    return contacts[contacts["receives"].str.split(",").map(lambda ks: kind in ks)]


def of_unit(contacts: pd.DataFrame, unit: str) -> pd.DataFrame:
    return receiving(contacts, "reminder").loc[lambda c: c["org_unit"] == unit]


def emails(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(e for e in frame["email"] if isinstance(e, str) and e))


def mentions(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(mobiles for DingTalk, WeCom user ids) of these contacts."""
    mobiles = list(dict.fromkeys(m for m in frame["mobile"] if isinstance(m, str) and m))
    ids = list(dict.fromkeys(u for u in frame["wecom_id"] if isinstance(u, str) and u))
    return mobiles, ids
