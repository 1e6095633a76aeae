"""``indicators`` — the command line (DESIGN §6).

One module per command group; each has ``add_parsers(subparsers)`` and the ``cmd_*``
functions its parsers call. ``COMMAND_GROUPS`` lists them in the order ``--help`` shows
them: adding a group is its module plus one line there.

Exit codes: 0 success, 1 rejected input (nothing written), 2 usage error. Every
failure a user can cause — a bad setting, a missing, locked, too-new or foreign
database, a rejected file, a file that cannot be read or written, output into a pipe
that closed (``status --json | head``, quietly) — is one line on stderr (``failure``),
never a traceback. A bug of ours is one line too (a hostile file must never reach the
terminal as a traceback), and its traceback goes to a file the line names, so it still
gets reported and fixed.
"""

from __future__ import annotations

import argparse
import gc
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
    "send",  # send reminders | pack | due | test | log | channels | retry
    "users",  # user add | list | passwd | disable | enable
    "review",  # review, unlock
    "migrate",  # migrate --from … --to …
)
# which group's module defines each command: a command line names one, and only that
# module is imported (importing every group cost ≈ 0.3 s of each command's start-up);
# ``--help`` and an unknown command still build the whole parser. tests/test_cli_groups.py
# checks this against the parsers the groups define.
COMMANDS = {
    "init": "database", "status": "status", "setup-template": "setup", "setup-import": "setup",
    "import": "returns", "template": "returns", "report": "report", "tasks": "tasks", "explain": "explain",
    "send": "send", "user": "users", "review": "review", "unlock": "review", "migrate": "migrate",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or — given a ``command`` of ``COMMANDS`` — of that
    command's group only (the same parser for that command line)."""
    parser = _Parser(prog="indicators", description="指标月调度：科技局重点指标月度调度")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for group in (COMMANDS[command],) if command in COMMANDS else COMMAND_GROUPS:
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
    if isinstance(exc, IsADirectoryError):
        return EXIT_REJECTED, f"「{exc.filename}」是一个文件夹，不是文件。"
    if isinstance(exc, PermissionError):
        return EXIT_REJECTED, f"没有权限读写「{exc.filename}」：请检查文件和文件夹的权限。"
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        return EXIT_REJECTED, f"读写文件失败（{exc.strerror or type(exc).__name__}）：{exc.filename or ''}"
    if isinstance(exc, MemoryError):
        return EXIT_REJECTED, "内存不足，本次操作未完成、未写入任何数据：请减小文件或分批处理。"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. ``argv`` None: the process's own command line, and
    the process ends next — then the objects left (pandas, pyarrow, the tables read) are
    frozen out of the garbage collector, whose passes at exit would walk every one of them
    (≈ 0.15 s of ``status --json`` on the 7.2 M-observation db). Nothing else changes:
    objects still go when their last reference does, and the process's memory with it."""
    code = _run(argv)
    if argv is None:
        gc.freeze()
    return code


def _run(argv: list[str] | None) -> int:
    line = sys.argv[1:] if argv is None else argv
    args = build_parser(line[0] if line else None).parse_args(argv)
    try:
        args.settings = load()  # the one place the command line reads the environment
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_REJECTED
    except KeyboardInterrupt:
        return _say("已中断；未提交的写入不会留下一半。", 130)
    except Exception as exc:
        known = failure(exc)
        if known is None:
            return _say(_bug_line(exc), EXIT_REJECTED)
        code, line = known
        return _say(line, code)


def _say(line: str, code: int) -> int:
    try:
        print(line, file=sys.stderr)
    except OSError:
        pass
    return code


def _bug_line(exc: Exception) -> str:
    """One line for an error of ours; the traceback is kept in a file for the report."""
    import tempfile
    import traceback
    try:
        with tempfile.NamedTemporaryFile("w", prefix="indicators-error-", suffix=".txt", delete=False,
                                         encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)))
        where = f"，详情已写入 {f.name}"
    except OSError:
        where = ""
    return (f"程序内部错误（{type(exc).__name__}），本次操作未完成、未写入任何数据{where}。"
            "请把命令、所用文件和这份详情报告给系统管理员。")


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's final flush
    does not print a traceback of its own (Python's documented recipe)."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
