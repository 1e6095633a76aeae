"""A rerun on unchanged data — most clicks under load — draws the leader pages from the
caches: the HTML of their tables (print copies, briefing pages) and of their cards is
built once per data version (ui_render), and the page drawn is the same, element by
element."""

from __future__ import annotations

import re
import shutil

import pytest
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)

import testdate
from indicators import ui_render

PAGES = [("pages/overview.py", {}), ("pages/overview.py", {"briefing": "1"}), ("pages/overview.py", {"unit": "GXQ"}),
         ("pages/indicator.py", {"ind": "GXQY"}), ("pages/indicator.py", {"briefing": "1"}),
         ("pages/responsibility.py", {}), ("pages/responsibility.py", {"briefing": "1"})]


def _elements(at) -> list[tuple[str, bytes]]:
    """Every element and block of the page as its proto's bytes; a styled grid's id (pandas
    draws a random one for each Styler, every run) written as «uuid»."""
    out = []

    def walk(node, path):
        proto = getattr(node, "proto", None)
        if proto is not None:
            data = proto.SerializeToString(deterministic=True)
            uuid = getattr(getattr(getattr(proto, "arrow_data", None), "styler", None), "uuid", "")
            if uuid:
                data = re.sub(re.escape(uuid.encode()), b"uuid", data)
            out.append((path, data))
        for key, child in sorted((getattr(node, "children", None) or {}).items()):
            walk(child, f"{path}/{key}")
    walk(at._tree, "")
    return out


@pytest.mark.parametrize(("page", "query"), PAGES)
def test_a_rerun_on_unchanged_data_builds_no_table_or_card_again_and_draws_the_same(
        page, query, demo_db_master, tmp_path, monkeypatch):
    path = tmp_path / "city.duckdb"
    shutil.copy(demo_db_master, path)
    at = open_page(page, path, monkeypatch, month=testdate.AS_OF, **query)
    assert not at.exception, at.exception
    first = _elements(at)
    assert len(first) > 20
    built = []
    for name in ("html_table", "_card_body"):
        real = getattr(ui_render, name)
        monkeypatch.setattr(ui_render, name, lambda *a, _real=real, _name=name, **k: built.append(_name) or _real(*a, **k))
    at.run()
    assert not at.exception, at.exception
    assert built == []
    assert _elements(at) == first
