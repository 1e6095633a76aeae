"""The `indicators` command line: exit codes, one-line messages, the status table — over
the DuckDB file and over PostgreSQL (every test on ``demo_db`` runs on both)."""

import csv
import io
import json
import subprocess
import sys

import pytest
import testdate

from indicators import demo
from indicators.cli import main
from indicators.cli.status import STATUS_JSON_KEYS
from indicators.db import connection
from indicators.rules import periods

pytestmark = pytest.mark.both_stores

REQUIRED_KEYS = {"indicator_code", "indicator_name", "org_unit_code", "org_unit_name", "period", "kind", "unit",
                 "value", "target", "completion", "expected", "gap_pp", "status", "yoy", "rank",
                 "lead_department", "leader", "provenance"}


def run(*args):
    """Run the real console entry point in a child process (as a user would)."""
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


AS_OF, SETTINGS = testdate.AS_OF, testdate.SETTINGS
YEAR, MONTH = periods.parse(AS_OF)


def status_json(db, *extra):
    out = run("status", "--period", AS_OF, "--db", db, "--json", *extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_status_json_has_the_documented_keys(demo_db):
    rows = status_json(demo_db)
    assert rows and REQUIRED_KEYS <= set(rows[0])
    mix = {"done", "lagging", "far_behind", "missing", "not_due"} | ({"on_track"} if MONTH != 12 else set())
    assert {r["status"] for r in rows} >= mix
    assert {r["provenance"] for r in rows} >= {"reported", "partial"}
    assert all(r["period"] == AS_OF for r in rows)


def _sent_targets() -> dict:
    """This year's targets as the demo's setup workbook and its later revisions set them."""
    first = demo.demo_setup_frames(AS_OF, SETTINGS)["target"].query("year == @YEAR")
    revised = demo.demo_target_revisions(AS_OF, SETTINGS)
    targets = {(r.indicator_code, r.org_unit): (r.value, r.milestones) for r in first.itertuples()}
    targets.update({(r.indicator_code, r.org_unit): (r.value, r.milestones) for r in revised.itertuples()})
    return targets


def test_status_json_is_compact_one_record_per_line(demo_db):
    """Streamed: ``[``, one compact record per line, ``]`` — a line reader gets whole rows."""
    out = run("status", "--period", AS_OF, "--db", demo_db, "--json")
    lines = out.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    body = [line.removesuffix(",") for line in lines[1:-1]]
    assert len(body) == len(json.loads(out.stdout)) > 100
    assert all(line.startswith('{"indicator_code":"') and line.endswith("}") for line in body)
    assert ": " not in lines[1].split('"indicator_name"')[0] and "\n " not in out.stdout


def test_status_numbers_can_be_recomputed_from_the_demo_returns(demo_db):
    """DESIGN §4 by hand, for the reported cumulative rows of the as-of month: value and
    target as sent, 序时 = last year's share of the same unit (YTD last year at this month
    ÷ last December), completion = value ÷ target, gap in points, status by the default
    thresholds — none of it taken from the output or from the product's rule code."""
    rows = status_json(demo_db)
    returns = demo.demo_observations(AS_OF, SETTINGS).set_index(["indicator_code", "org_unit", "period"])["value"]
    targets = _sent_targets()
    same_month_last_year, last_december = periods.make(YEAR - 1, MONTH), periods.make(YEAR - 1, 12)
    checked = 0
    for r in rows:
        key = (r["indicator_code"], r["org_unit_code"])
        if (r["kind"] != "cumulative" or r["provenance"] != "reported" or r["value_period"] != AS_OF
                or targets[key][1] is not None):  # rows with their own 月度节点 are paced by them
            continue
        value, target = returns[(*key, AS_OF)], targets[key][0]
        expected = returns[(*key, same_month_last_year)] / returns[(*key, last_december)]
        completion = value / target
        gap = (completion - expected) * 100
        status = ("done" if completion >= 1 else "on_track" if gap >= 0 else "lagging" if gap >= -10
                  else "far_behind")
        assert (r["value"], r["target"]) == (pytest.approx(value), pytest.approx(target)), key
        assert r["expected"] == pytest.approx(expected), key
        assert r["completion"] == pytest.approx(completion), key
        assert r["gap_pp"] == pytest.approx(gap), key
        assert r["status"] == status, key
        checked += 1
    assert checked >= 30


def test_city_cumulative_is_the_sum_of_its_districts(demo_db):
    rows = status_json(demo_db)
    by = {(r["indicator_code"], r["org_unit_code"]): r for r in rows}
    city = by[("JSHT", demo.CITY)]
    districts = [r for r in rows if r["indicator_code"] == "JSHT" and r["org_unit_code"] != demo.CITY]
    assert city["value"] == pytest.approx(sum(r["value"] or 0 for r in districts))
    assert city["provenance"] == "partial"  # one district has not reported the as-of month


def test_status_without_period_is_the_latest_due_month(demo_db):
    """On the suite's day the newest month whose return deadline has passed is
    ``testdate.AS_OF`` (2026-11-23 → 2026-10): the month worth chasing, not the calendar's."""
    out = run("status", "--db", demo_db, "--json")
    assert out.returncode == 0, out.stderr
    assert {r["period"] for r in json.loads(out.stdout)} == {testdate.AS_OF}
    text = run("status", "--db", demo_db)
    assert f"数据截至 {periods.label(testdate.AS_OF)}" in text.stdout


def test_unit_filter_and_csv(demo_db):
    out = run("status", "--period", AS_OF, "--db", demo_db, "--unit", "GXQ", "--csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("\ufeff")  # UTF-8 with BOM: Excel and WPS on Chinese Windows read it right
    table = list(csv.DictReader(io.StringIO(out.stdout.removeprefix("\ufeff"))))
    assert table and {r["org_unit_code"] for r in table} == {"GXQ"}
    assert list(table[0]) == STATUS_JSON_KEYS


def test_text_output_is_chinese(demo_db):
    out = run("status", "--period", AS_OF, "--db", demo_db)
    assert out.returncode == 0 and f"数据截至 {periods.label(AS_OF)}" in out.stdout


def test_text_lines_say_what_their_numbers_are(demo_db):
    """A partial total names who is missing; one judged like for like shows the comparable
    figures (its 完成 is theirs, not value ÷ official target); a limit's share is 已用; a
    stock judged on its change shows that 增量进度 — row by row as in --json."""
    rows = status_json(demo_db)
    lines = run("status", "--period", AS_OF, "--db", demo_db).stdout.splitlines()[2:]
    assert len(lines) == len(rows)
    for r, line in zip(rows, lines):
        assert ("部分汇总，缺：" in line) == (r["provenance"] == "partial"), line
        assert ("按可比口径" in line) == (r["completion_basis"] == "like_for_like"), line
        assert ("\t已用 " in line) == (r["status_rule"] == "cumulative_limit"), line
        assert ("增量进度" in line) == (r["status_rule"] == "change"), line
    assert any(r["completion_basis"] == "like_for_like" for r in rows)  # the demo has one (青溪县 late)


@pytest.mark.parametrize("args,code,message", [
    (["status", "--period", "2026-13"], 2, "期间格式应为"),
    (["status", "--perod", "2026-10"], 2, "用法错误"),
    (["frobnicate"], 2, "用法错误"),
    (["status", "--period", "2026-10", "--db", "/nonexistent/x.duckdb"], 1, "数据库不存在"),
])
def test_usage_and_input_errors(args, code, message):
    out = run(*args)
    assert out.returncode == code
    assert message in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("written", ["2026年10月", "2026.10", "2026/10", "2026年10月份", " 2026-10 "])
def test_a_month_written_the_chinese_way_is_that_month(demo_db, written):
    """``--period`` reads a month as a return's period cell is read; the output is the
    same as for 2026-10."""
    want = run("status", "--period", "2026-10", "--db", demo_db, "--json")
    out = run("status", "--period", written, "--db", demo_db, "--json")
    assert out.returncode == 0, out.stderr
    assert out.stdout == want.stdout and json.loads(out.stdout)[0]["period"] == "2026-10"


def test_a_month_without_any_data_says_so(demo_db):
    out = run("status", "--period", "1999-01", "--db", demo_db)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "调度表 · 数据截至 1999年1月 · 0 行\n1999年1月没有任何目标或报送数据：请检查 --period。\n"
    assert json.loads(run("status", "--period", "1999-01", "--db", demo_db, "--json").stdout) == []


def test_unknown_unit_is_rejected(demo_db):
    out = run("status", "--period", AS_OF, "--db", demo_db, "--unit", "NOPE")
    assert out.returncode == 1 and "NOPE" in out.stderr


def test_unit_by_name_or_alias_is_the_unit_by_code(demo_db):
    """``--unit`` takes what 综合科 would type: the code (GXQ), the name (高新区) or an alias
    (高新技术产业开发区) — the same rows; a near miss is refused with the nearest name."""
    by_code = run("status", "--period", AS_OF, "--db", demo_db, "--unit", "GXQ", "--json")
    assert by_code.returncode == 0, by_code.stderr
    rows = json.loads(by_code.stdout)
    assert {r["org_unit_code"] for r in rows} == {"GXQ"}
    for written in ("高新区", "高新技术产业开发区", " 高新区 "):
        out = run("status", "--period", AS_OF, "--db", demo_db, "--unit", written, "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == rows, written
    out = run("status", "--period", AS_OF, "--db", demo_db, "--unit", "东城县")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip() == "单位「东城县」不存在，是否指：东城区？--unit 可写单位代码、名称或别名。"
    report = run("report", "--period", AS_OF, "--db", demo_db, "--unit", "火星", "--format", "md", "--out", "x.md")
    assert report.returncode == 1 and report.stderr.strip() == "单位「火星」不存在。--unit 可写单位代码、名称或别名。"


def test_a_file_held_too_long_fails_after_the_lock_wait_with_one_line(demo_db_master, tmp_path, monkeypatch):
    import shutil
    path = tmp_path / "held.duckdb"
    shutil.copy(demo_db_master, path)
    monkeypatch.setenv("INDICATORS_LOCK_WAIT", "1")
    holder = connection.connect(path)  # this process holds the file, as a long import does
    try:
        out = run("status", "--period", "2026-10", "--db", path)
    finally:
        holder.close()
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "占用" in out.stderr and "已等待 1 秒" in out.stderr and "Traceback" not in out.stderr


def test_an_unreachable_postgres_is_one_line():
    from localpg import free_port
    out = run("status", "--db", f"postgresql://nobody@127.0.0.1:{free_port()}/indicators")
    assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr
    assert "无法连接 PostgreSQL 数据库" in out.stderr and "Traceback" not in out.stderr


def test_a_missing_postgres_database_is_one_line(pg_server):
    out = run("status", "--db", pg_server.url("no_such_db"))
    assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr
    assert "没有数据库 no_such_db" in out.stderr and "createdb no_such_db" in out.stderr


@pytest.mark.parametrize("url", ["postgresql://", "postgresql://u@h:99999/db", "postgresql://u@host"])
def test_a_malformed_postgres_address_is_a_usage_error(url):
    out = run("status", "--db", url)
    assert out.returncode == 2 and "postgresql://用户@主机:端口/数据库名" in out.stderr, out.stderr


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    con = connection.connect(path, create=True)
    con.execute("INSERT INTO schema_version (version) VALUES (999)")
    con.close()
    out = run("status", "--period", "2026-10", "--db", path)
    assert out.returncode == 1 and "升级程序" in out.stderr


def test_init_creates_and_refuses_to_overwrite(tmp_path, demo_db, capsys):
    path = tmp_path / "fresh.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    assert path.exists()
    assert main(["init", "--db", str(demo_db), "--demo"]) == 1
    assert "已有数据" in capsys.readouterr().err


def test_setup_template_and_import(tmp_path, capsys):
    from builders import tiny_setup

    from indicators.setup import workbook
    blank = tmp_path / "blank.xlsx"
    assert main(["setup-template", "--out", str(blank)]) == 0 and blank.exists()
    filled = workbook.write_workbook(tmp_path / "filled.xlsx", tiny_setup())
    db = tmp_path / "s.duckdb"
    assert main(["setup-import", str(filled), "--db", str(db)]) == 0
    assert "4 个单位" in capsys.readouterr().out


def test_every_command_group_module_is_registered_once():
    """A command group is one module of indicators.cli plus one line in COMMAND_GROUPS."""
    from pathlib import Path

    from indicators import cli
    helpers = {"__init__", "args", "output"}
    modules = {p.stem for p in Path(cli.__file__).parent.glob("*.py")} - helpers
    assert sorted(cli.COMMAND_GROUPS) == sorted(modules)
    assert len(set(cli.COMMAND_GROUPS)) == len(cli.COMMAND_GROUPS)
