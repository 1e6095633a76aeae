"""Calendar months as ``YYYY-MM`` strings: parse, make, shift, label."""

from __future__ import annotations

import re

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse(period: str) -> tuple[int, int]:
    """``"2026-10"`` → ``(2026, 10)``; raises ValueError on anything else."""
    m = _PERIOD.match(str(period))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"期间格式应为 YYYY-MM（如 2026-10），收到「{period}」")
    return int(m.group(1)), int(m.group(2))


def make(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift(period: str, months: int) -> str:
    y, m = parse(period)
    idx = y * 12 + (m - 1) + months
    return make(idx // 12, idx % 12 + 1)


def label(period: str) -> str:
    """``"2026-10"`` → ``"2026年10月"``."""
    y, m = parse(period)
    return f"{y}年{m}月"

