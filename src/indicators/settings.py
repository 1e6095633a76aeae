"""Settings: one frozen dataclass with safe defaults, read from the environment at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DB = Path("data") / "indicators.duckdb"


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    # status thresholds (DESIGN §4): done at completion >= done_at; gap in points
    done_at: float = 1.0
    lagging_from_pp: float = -10.0  # gap >= this (and < 0) is 滞后; below it 严重滞后
    # expected progress: "last_year" uses last year's cumulative shares where history exists
    pacing: str = "last_year"  # or "linear" (m/12)
    # returns are due by this day of the following month (timeliness)
    deadline_day: int = 5
    source_label: str = "市科技局指标月调度系统"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    s = Settings()
    if env.get("INDICATORS_DB"):
        s = s.with_(db_path=Path(env["INDICATORS_DB"]))
    if env.get("INDICATORS_PACING") in ("linear", "last_year"):
        s = s.with_(pacing=env["INDICATORS_PACING"])
    if env.get("INDICATORS_LAGGING_FROM_PP"):
        s = s.with_(lagging_from_pp=float(env["INDICATORS_LAGGING_FROM_PP"]))
    if env.get("INDICATORS_DEADLINE_DAY"):
        s = s.with_(deadline_day=int(env["INDICATORS_DEADLINE_DAY"]))
    return s
