"""报送记录's 操作 column names every action the product writes to the audit log in Chinese:
an action missing from ``views.records.AUDIT_ACTION_LABELS`` shows its code ("send")."""

import re
from pathlib import Path

from indicators.views.records import AUDIT_ACTION_LABELS

SRC = Path(__file__).resolve().parents[1] / "src" / "indicators"
CODE = re.compile(r'"([a-z][a-z_]*)"')
ACTION_ARG = re.compile(r'action(?:: str)? ?= ?"([a-z][a-z_]*)"')
NOT_LOGGED = {"store", "store_true", "store_false", "append", "count", "ignore"}  # argparse, warnings


def written_actions() -> set[str]:
    """The action codes at the audit log's call sites: the literals on a line calling
    ``audit(con, actor, …`` (a ternary too) and every ``action="…"`` passed on to one."""
    found = set()
    for path in SRC.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\baudit\(\w+, [\w.()]+, ", line):
                found |= set(CODE.findall(line.split("audit(", 1)[1].split(",", 2)[2]))
            found |= set(ACTION_ARG.findall(line)) - NOT_LOGGED
    return found


def test_the_scan_finds_the_known_call_sites():
    # written out by hand from the call sites (delivery, accounts, batches, review, migrate)
    assert {"send", "signin", "signout", "user_disable", "user_enable", "rollback", "return", "migrate",
            "import", "signin_failed"} <= written_actions()


def test_every_written_action_has_a_chinese_label():
    missing = sorted(a for a in written_actions() if a not in AUDIT_ACTION_LABELS)
    assert missing == []
    assert AUDIT_ACTION_LABELS["send"] == "发送消息"
