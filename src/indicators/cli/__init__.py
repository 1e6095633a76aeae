"""``indicators`` — the command line (DESIGN §6).

One module per command group; each has ``add_parsers(subparsers)`` and the ``cmd_*``
functions its parsers call. ``COMMAND_GROUPS`` lists them in the order ``--help`` shows
them: adding a group is its module plus one line there.

Exit codes: 0 success, 1 rejected input (nothing written), 2 usage error. Every
failure a user can cause — a bad setting, a missing, locked, too-new or foreign
database, a rejected file — is one line on stderr (``failure``), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from indicators.cli.args import EXIT_REJECTED, EXIT_USAGE
from indicators.errors import IndicatorsError
from indicators.settings import SettingError, load

COMMAND_GROUPS = (
    "database",  # init
    "status",  # status
    "setup",  # setup-template, setup-import
    "returns",  # import, template
    "report",  # report
    "tasks",  # tasks import-plan | confirm | progress | status
    "explain",  # explain
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="indicators", description="指标月调度：科技局重点指标月度调度")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for group in COMMAND_GROUPS:
        import_module(f"{__name__}.{group}").add_parsers(sub)
    return parser


def failure(exc: Exception) -> tuple[int, str] | None:
    """The exit code and the one line for a failure the user caused; None for a bug
    (which keeps its traceback, so it gets reported and fixed)."""
    if isinstance(exc, SettingError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, IndicatorsError):
        return EXIT_REJECTED, str(exc)
    if isinstance(exc, FileNotFoundError):
        return EXIT_REJECTED, f"文件不存在：{exc.filename}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.settings = load()  # the one place the command line reads the environment
        return int(args.func(args) or 0)
    except Exception as exc:
        known = failure(exc)
        if known is None:
            raise
        code, line = known
        print(line, file=sys.stderr)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
