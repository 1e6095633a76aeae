"""A card names where its 序时进度 comes from when it is not the even share of the year
(issue 16): 高新技术企业数's 8.0% in October is the target's own milestones, not a bug.
The words are ``rules.progress.BASIS_WORDS``, the same on the card and on 指标详情."""

from __future__ import annotations

import pytest
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)
from testdate import AS_OF

from indicators.rules import progress


@pytest.mark.parametrize("basis,rule,expected", [
    ("milestone", "change", "序时进度按目标月度节点"),
    ("last_year", "cumulative", "序时进度按上年同期进度"),
    ("milestone", "no_baseline", "序时进度按目标月度节点"),
    ("linear", "cumulative", ""),  # the even share of the year (months/12) goes without saying
    (None, "cumulative", ""),  # nothing due yet
    ("milestone", "hold", ""),  # 目标不高于上年末: judged without 序时
    ("last_year", None, ""),  # no target
])
def test_basis_note(basis, rule, expected):
    assert progress.basis_note(basis, rule) == expected


def test_milestone_card_says_so(demo_db, monkeypatch):
    """调度总览's card of 高新技术企业数 (milestones 3:2;6:4;9:6;10:8;11:40;12:100) names them;
    the note sits beside the rule that quotes the 8.0%."""
    at = open_page("pages/overview.py", demo_db, monkeypatch)
    assert not at.exception, at.exception
    card = next(h.body for h in at.get("html") if "<h4>高新技术企业数</h4>" in h.body)
    assert '<div class="note">※ 序时进度按目标月度节点</div>' in card
    if AS_OF == "2026-10":  # the suite's default day
        assert "为目标增量 140 家 的 55.7%（序时进度 8.0%）" in card


def test_indicator_detail_uses_the_same_words(demo_db, monkeypatch):
    at = open_page("pages/indicator.py", demo_db, monkeypatch, ind="GXQY")
    assert not at.exception, at.exception
    summary = "\n".join(m.value for m in at.markdown)
    assert "（按目标月度节点）。" in summary
