"""``indicators report``: each format, exit codes, numbers in the confirmation line."""

from __future__ import annotations

import pytest
from pptx import Presentation

from indicators.cli import main


@pytest.mark.parametrize("fmt", ["pptx", "xlsx", "docx", "md"])
def test_each_format_is_written(tiny_db, tmp_path, fmt, capsys):
    out = tmp_path / f"r.{fmt}"
    rc = main(["report", "--db", str(tiny_db), "--period", "2026-10", "--format", fmt, "--out", str(out)])
    assert rc == 0
    assert out.stat().st_size > 0
    assert "3项重点指标：1项达序时，2项滞后" in capsys.readouterr().out


def test_unit_scope(tiny_db, tmp_path):
    out = tmp_path / "a.pptx"
    assert main(["report", "--db", str(tiny_db), "--period", "2026-10", "--format", "pptx", "--out", str(out),
                 "--unit", "A"]) == 0
    text = "".join(sh.text_frame.text for sh in Presentation(out).slides[0].shapes if sh.has_text_frame)
    assert "甲区" in text


def test_markdown_headline_matches_status(tiny_db, tmp_path, capsys):
    main(["status", "--db", str(tiny_db), "--period", "2026-10", "--json"])
    import json
    rows = [r for r in json.loads(capsys.readouterr().out) if r["org_unit_code"] == "C"]
    n = sum(r["status"] != "no_target" for r in rows)
    x = sum(r["status"] in ("done", "on_track") for r in rows)
    out = tmp_path / "n.md"
    main(["report", "--db", str(tiny_db), "--period", "2026-10", "--format", "md", "--out", str(out)])
    assert f"测试市{n}项重点指标中，{x}项达到序时进度" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, code, message", [
    (["--unit", "NOPE"], 1, "单位「NOPE」不存在"),
    (["--period", "2026-13"], 2, "用法错误"),
    (["--format", "odt"], 2, "用法错误"),
])
def test_bad_input(tiny_db, tmp_path, args, code, message, capsys):
    base = {"--period": "2026-10", "--format": "pptx", "--out": str(tmp_path / "x.pptx")}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    argv = ["report", "--db", str(tiny_db)] + [x for kv in base.items() for x in kv]
    if code == 2:
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    else:
        assert main(argv) == code
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()


def test_missing_database(tmp_path, capsys):
    rc = main(["report", "--db", str(tmp_path / "none.duckdb"), "--period", "2026-10", "--format", "md",
               "--out", str(tmp_path / "x.md")])
    assert rc == 1 and "数据库不存在" in capsys.readouterr().err
