"""`indicators tasks …` and `indicators explain` as a user runs them (child processes)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import testdate

from indicators.rules import periods
from indicators.demo import CITY

SEED = Path(__file__).parent / "data" / "zjg_2022_03_plan.txt"
PERIOD = testdate.AS_OF
CATCH_UP = periods.shift(PERIOD, 2)  # later than the as-of month, whatever day the suite lives on


def run(*args):
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)],
                          capture_output=True, text=True, timeout=180)


def ok_json(*args):
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_explain_lists_exactly_the_lagging_rows_of_status(demo_db):
    status = ok_json("status", "--period", PERIOD, "--db", demo_db)
    explain = ok_json("explain", "--period", PERIOD, "--db", demo_db)
    lagging = {(r["indicator_code"], r["org_unit_code"]) for r in status if r["status"] in ("lagging", "far_behind")}
    assert lagging  # the demo has lagging rows
    assert [(r["indicator_code"], r["org_unit_code"]) for r in explain] == \
        [(r["indicator_code"], r["org_unit_code"]) for r in status if r["status"] in ("lagging", "far_behind")]
    assert {r["indicator_code"] + r["org_unit_code"] for r in status if r["explanation_required"]} == \
        {i + u for i, u in lagging}
    by_key = {(r["indicator_code"], r["org_unit_code"]): r for r in status}
    for r in explain:
        assert r["explanation"] == by_key[(r["indicator_code"], r["org_unit_code"])]["explanation"]
    # the demo explains most, not all
    given = [r for r in explain if r["explanation"]]
    assert 0 < len(given) < len(explain)
    assert all(r["explanation"] is None for r in status if not r["explanation_required"])


def test_give_an_explanation_and_see_it_in_status(demo_db):
    missing = [r for r in ok_json("explain", "--period", PERIOD, "--db", demo_db)
               if r["explanation"] is None and r["org_unit_code"] != CITY]
    row = missing[0]
    made = subprocess.run([sys.executable, "-m", "indicators", "user", "add", "bs_user", "--role", "district",
                           "--unit", row["org_unit_code"], "--name", "北山县科技局", "--password-stdin",
                           "--db", str(demo_db)], input="Bs-pass-2026\n", capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    args = ("explain", "--period", PERIOD, "--db", demo_db, "--indicator", row["indicator_code"],
            "--unit", row["org_unit_name"], "--reason", "企业申报集中在年底", "--measures", "上门辅导",  # its name
            "--catch-up", CATCH_UP)
    refused = run(*args, "--as", "leader")  # a leader reads, never writes
    assert refused.returncode == 1 and "无权填写滞后说明" in refused.stderr, refused.stderr
    out = run(*args, "--as", "bs_user")
    assert out.returncode == 0, out.stderr
    assert "已保存" in out.stdout
    status = ok_json("status", "--period", PERIOD, "--db", demo_db)
    got = next(r for r in status if (r["indicator_code"], r["org_unit_code"]) ==
               (row["indicator_code"], row["org_unit_code"]))
    assert got["explanation"]["reason"] == "企业申报集中在年底"
    assert got["explanation"]["measures"] == "上门辅导"
    assert got["explanation"]["catch_up"] == CATCH_UP
    assert got["explanation"]["given_by"] == "北山县科技局（区县填报员·" + row["org_unit_name"] + "）"


@pytest.mark.parametrize("extra, message", [
    (["--reason", "", "--measures", "措施"], "滞后原因不能为空"),
    (["--reason", "原因", "--measures", "措施", "--catch-up", PERIOD], "预计赶上月份应晚于"),
    (["--reason", "原因"], "整改措施不能为空"),
])
def test_an_incomplete_explanation_is_one_line_and_exit_1(demo_db, extra, message):
    row = ok_json("explain", "--period", PERIOD, "--db", demo_db)[0]
    out = run("explain", "--period", PERIOD, "--db", demo_db, "--indicator", row["indicator_code"],
              "--unit", row["org_unit_code"], *extra)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_explaining_a_row_that_does_not_lag_is_refused(demo_db):
    status = ok_json("status", "--period", PERIOD, "--db", demo_db)
    fine = next(r for r in status if r["status"] == "on_track")
    out = run("explain", "--period", PERIOD, "--db", demo_db, "--indicator", fine["indicator_code"],
              "--unit", fine["org_unit_code"], "--reason", "x", "--measures", "y")
    assert out.returncode == 1 and "不需要滞后说明" in out.stderr


def test_explain_without_unit_is_refused(demo_db):
    out = run("explain", "--period", PERIOD, "--db", demo_db, "--indicator", "JSHT", "--reason", "x")
    assert out.returncode == 1 and "--unit" in out.stderr


def test_import_seed_plan_confirm_report_progress(demo_db):
    got = ok_json("tasks", "import-plan", SEED, "--period", "2026-11", "--db", demo_db)
    assert got["items"] == 25 and got["written"] is True
    assert got["sections"]["高企培育"] == 1 and got["sections"]["其他工作"] == 4
    assert {d["category"] for d in got["drafts"]} == set(got["sections"])
    unassigned = [d["code"] for d in got["drafts"] if d["lead_department"] is None]
    out = run("tasks", "confirm", "--period", "2026-11", "--db", demo_db)
    assert out.returncode == 1 and "未指定牵头科室" in out.stderr  # nothing confirmed
    assigns = [a for code in unassigned for a in ("--assign", f"{code}=ZHK/L01")]
    out = run("tasks", "confirm", "--period", "2026-11", "--db", demo_db, *assigns)
    assert out.returncode == 0, out.stderr
    assert "25 项" in out.stdout
    out = run("tasks", "progress", "--period", "2026-11", "--task", "202611-01", "--status", "已完成",
              "--progress", "会议已召开", "--db", demo_db)
    assert out.returncode == 0, out.stderr
    board = ok_json("tasks", "status", "--period", "2026-11", "--db", demo_db)
    plan = {r["code"]: r for r in board if r["plan_period"] == "2026-11"}
    assert len(plan) == 25
    assert plan["202611-01"]["status"] == "done"
    assert plan["202611-02"]["status"] == "lagging" and plan["202611-02"]["overdue"] is True
    assert board[0]["status"] == "lagging"  # overdue first
    zhk = ok_json("tasks", "status", "--period", "2026-11", "--db", demo_db, "--department", "ZHK")
    assert zhk and {r["lead_department"] for r in zhk} == {"ZHK"}


def test_demo_task_board_has_the_mix(demo_db):
    board = ok_json("tasks", "status", "--period", PERIOD, "--db", demo_db)
    assert len(board) == 24
    statuses = [r["status"] for r in board]
    assert statuses.count("lagging") >= 3 and "missing" in statuses and "on_track" in statuses
    assert sum(r["overdue"] for r in board) == 2
    assert {r["leader_name"] for r in board} == {"王建国", "李明华", "张晓燕", "陈志强"}


@pytest.mark.parametrize("args, message", [
    (["tasks", "import-plan", "没有这个文件.txt", "--period", "2026-11"], "文件不存在"),
    (["tasks", "progress", "--period", "2026-11", "--task", "NOPE", "--status", "滞后"], "任务代码不存在"),
    (["tasks", "confirm", "--period", "2030-01"], "没有待确认的任务"),
])
def test_task_commands_refuse_in_one_line(demo_db, args, message):
    out = run(*args, "--db", demo_db)
    assert out.returncode == 1, out.stdout
    assert message in out.stderr and "Traceback" not in out.stderr


def test_bad_period_is_a_usage_error(demo_db):
    out = run("tasks", "status", "--period", "2026-13", "--db", demo_db)
    assert out.returncode == 2
