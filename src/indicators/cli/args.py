"""Arguments every ``indicators`` subcommand shares: the database and the period."""

from __future__ import annotations

import argparse
from pathlib import Path

from indicators.rules import periods
from indicators.settings import from_env

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def period_arg(text: str) -> str:
    """argparse type for ``YYYY-MM`` (a bad period is a usage error, exit 2)."""
    try:
        periods.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None, help="数据库文件（默认 data/indicators.duckdb 或 $INDICATORS_DB）")


def db_path(args) -> Path:
    return args.db or from_env().db_path
