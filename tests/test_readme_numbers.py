"""Meta-tests: every ``status --json`` key and every status rule is documented where an
analyst looks for it (README "How the numbers are computed")."""

from __future__ import annotations

import re
from pathlib import Path

from indicators.cli.status import STATUS_JSON_KEYS
from indicators.rules import progress, ranking

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(title)
    nxt = re.search(r"\n##+ ", README[start + len(title):])
    return README[start: start + len(title) + (nxt.start() if nxt else len(README))]


def test_every_status_json_key_is_in_the_key_table():
    table = _section("### `status --json` keys")
    documented = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            documented |= set(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    missing = set(STATUS_JSON_KEYS) | {"explanation_required", "explanation"}
    assert missing - documented == set()


def test_every_rule_status_and_measure_is_documented():
    text = _section("## How the numbers are computed")
    for rule in progress.RULES:
        assert f"`{rule}`" in text, rule
    for status in progress.STATUSES:
        assert f"`{status}`" in text and progress.STATUS_LABELS[status] in text, status
    for measure in ranking.MEASURES:
        assert f"`{measure}`" in text, measure
