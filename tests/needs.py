"""Tests that need a program of this machine (chromium, LibreOffice …) call ``need(what)``
when it is missing: outside CI that skips the test; in CI (``$CI`` set — ``.ci/run`` sets
it) the hook in tests/conftest.py turns the skip into a failure, so CI can never go green
without having run them."""

from __future__ import annotations

import shutil

import pytest

MARK = "本机缺少测试所需的程序："


def need(what: str) -> None:
    pytest.skip(MARK + what)


def require_tool(name: str) -> str:
    """The path of a system tool (``need`` when it is missing)."""
    path = shutil.which(name)
    if path is None:
        need(name)
    return path
