"""``indicators.cli.COMMANDS`` names, for each command, the group module that defines it:
a command line imports that module only, so the map must match the parsers."""

import argparse

from indicators import cli


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_every_command_is_mapped_to_the_group_that_defines_it():
    everything = _commands(cli.build_parser())
    assert sorted(cli.COMMANDS) == sorted(everything)
    for command, group in cli.COMMANDS.items():
        assert group in cli.COMMAND_GROUPS
        assert command in _commands(cli.build_parser(command)), (command, group)


def test_one_commands_parser_parses_as_the_whole_one_does():
    argv = ["status", "--json", "--period", "2026-10", "--db", "x.duckdb", "--rank-by", "gap"]
    whole, one = cli.build_parser().parse_args(argv), cli.build_parser("status").parse_args(argv)
    assert vars(whole) == vars(one)


def test_an_unknown_command_still_gets_the_whole_usage(capsys):
    import pytest
    with pytest.raises(SystemExit) as exit_:
        cli.main(["no-such-command"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "status" in err and "migrate" in err  # the choices listed are every command's


def test_the_processs_own_command_line_freezes_what_is_left_and_a_call_does_not(monkeypatch, tmp_path, capsys):
    """``main()`` (the console script, ``python -m indicators``) ends its process: the objects
    left are frozen out of the collector's passes at exit. ``main(argv)`` (a call) freezes nothing."""
    import gc
    missing = str(tmp_path / "nowhere.duckdb")
    gc.unfreeze()
    try:
        assert cli.main(["status", "--db", missing]) != 0
        assert gc.get_freeze_count() == 0
        monkeypatch.setattr("sys.argv", ["indicators", "status", "--db", missing])
        assert cli.main() != 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "nowhere.duckdb" in capsys.readouterr().err  # one line about the database, as ever
