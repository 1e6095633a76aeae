"""The accounts from the command line, as the issue's check runs it (child processes on a
copy of the demo city): a district user made with ``--password-stdin`` imports its own
return (待审核), is refused for another unit's (exit 1, one line, nothing written), an office
user approves it, and the password is nowhere in the database file."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest
import testdate

from indicators.rules import periods
from indicators.rules.due import reporting_month

PASSWORD = "Qx-Secret-7391"
MONTH = reporting_month(testdate.TODAY)  # the month being reported now: not locked


def run(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=300)


def ok(*args, stdin=None):
    out = run(*args, stdin=stdin)
    assert out.returncode == 0, out.stderr
    return out


def filled_template(db, tmp_path, unit: str, as_login: str | None = None):
    """The month's template for ``unit``, every value filled in."""
    path = tmp_path / f"{unit}.xlsx"
    ok("template", "--period", MONTH, "--unit", unit, "--out", path, "--db", db,
       *(["--as", as_login] if as_login else []))
    wb = openpyxl.load_workbook(path)
    ws = wb["报送数据"]
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 2).value and ws.cell(r, 3).value:
            last = ws.cell(r, 5).value
            ws.cell(r, 6).value = round(last * 1.02, 2) if isinstance(last, (int, float)) else 1
    wb.save(path)
    return path


def status(db, unit):
    return [r for r in json.loads(ok("status", "--period", MONTH, "--json", "--db", db).stdout)
            if r["org_unit_code"] == unit and r["value"] is not None]


def test_the_issues_check(demo_db, tmp_path):
    made = ok("user", "add", "qx_user", "--role", "district", "--unit", "QX", "--name", "青溪县 张三",
              "--password-stdin", "--db", demo_db, stdin=PASSWORD + "\n")
    assert PASSWORD not in made.stdout + made.stderr
    own = filled_template(demo_db, tmp_path, "QX", as_login="qx_user")
    other = filled_template(demo_db, tmp_path, "XC")
    imported = ok("import", own, "--as", "qx_user", "--yes", "--json", "--db", demo_db)
    batch = json.loads(imported.stdout)["files"][0]["batch_id"]
    assert {r["review"] for r in status(demo_db, "QX") if r["value_period"] == MONTH} == {"pending"}

    before = demo_db.read_bytes()
    refused = run("import", other, "--as", "qx_user", "--yes", "--db", demo_db)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "只能报送青溪县的数据" in refused.stderr and "（西城区）" in refused.stderr
    assert demo_db.read_bytes() == before  # nothing written

    ok("review", "--batch", batch, "--approve", "--as", "zhk", "--db", demo_db)
    assert {r["review"] for r in status(demo_db, "QX") if r["value_period"] == MONTH} == {"approved"}
    data = demo_db.read_bytes() + (demo_db.with_name(demo_db.name + ".wal").read_bytes()
                                   if demo_db.with_name(demo_db.name + ".wal").exists() else b"")
    assert PASSWORD.encode() not in data and PASSWORD.encode("utf-16-le") not in data
    assert b"$argon2id$" in data  # what is stored instead


def test_a_district_user_gets_only_its_units_template(demo_db, tmp_path):
    ok("user", "add", "qx_user", "--role", "district", "--unit", "QX", "--password-stdin", "--db", demo_db,
       stdin=PASSWORD + "\n")
    out = run("template", "--period", MONTH, "--unit", "XC", "--as", "qx_user", "--out", tmp_path / "x.xlsx",
              "--db", demo_db)
    assert out.returncode == 1 and "只能下载本单位（青溪县）的报送模板" in out.stderr
    path = filled_template(demo_db, tmp_path, "QX", as_login="qx_user")
    wb = openpyxl.load_workbook(path)
    assert {wb["报送数据"].cell(r, 2).value for r in range(4, 10)} == {"青溪县"}
    assert [c.value for c in wb["_lists"]["A"] if c.value] == ["青溪县"]


def test_a_generated_password_is_shown_once_and_works_nowhere_else(demo_db):
    out = ok("user", "add", "lead2", "--role", "leader", "--db", demo_db)
    password = out.stdout.split("：")[-1].strip()
    assert len(password) == 12 and password.encode() not in demo_db.read_bytes()
    listed = json.loads(ok("user", "list", "--json", "--db", demo_db).stdout)
    assert {u["login"] for u in listed} >= {"admin", "zhk", "gxjs", "dc", "leader", "lead2"}
    assert "password_hash" not in listed[0] and password not in json.dumps(listed)


@pytest.mark.parametrize("args,message", [
    (("import", "x.xlsx", "--as", "nobody"), "没有登录名为「nobody」的用户"),
    (("review", "--batch", "1", "--approve", "--as", "dc"), "无权审核报送"),
    (("review", "--batch", "1", "--return", "--as", "zhk"), "退回须写明原因"),
    (("unlock", "--period", "2026-01", "--unit", "DC", "--hours", "2", "--as", "zhk"), "无权解锁已锁定的月份"),
    (("user", "add", "x1", "--role", "leader", "--as", "gxjs"), "无权管理用户"),
    (("user", "disable", "nobody"), "没有登录名为「nobody」的用户"),
    (("setup-import", "x.xlsx", "--as", "leader"), None),  # a missing file: refused before anything
])
def test_refusals_are_one_line_exit_1(demo_db, tmp_path, args, message):
    out = run(*args, "--db", demo_db)
    assert out.returncode == 1, out
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    if message:
        assert message in out.stderr


def test_review_list_and_unlock(demo_db):
    waiting = json.loads(ok("review", "--list", "--json", "--as", "zhk", "--db", demo_db).stdout)["waiting"]
    assert [w["units"] for w in waiting] == ["东城区"]  # the demo's 待审核 re-send
    assert json.loads(ok("review", "--list", "--json", "--as", "gxjs", "--db", demo_db).stdout)["waiting"] in \
        ([], waiting)  # 高新技术科 sees it only when it leads one of the two figures
    # the month before the latest due one is locked on any day: its lock (deadline + 10 days)
    # passed before the latest due month's deadline did (the latest due month itself locks
    # only 10 days after its deadline: not yet on 2027-03-10)
    month = periods.shift(testdate.AS_OF, -1)
    out = ok("unlock", "--period", month, "--unit", "DC", "--hours", "2", "--reason", "更正", "--db", demo_db)
    assert "已为单位 DC 解锁" in out.stdout
    back = ok("review", "--batch", waiting[0]["batch_id"], "--return", "--reason", "请附说明", "--as", "zhk",
              "--db", demo_db)
    assert "已退回批次" in back.stdout
    returned = json.loads(ok("review", "--list", "--json", "--as", "dc", "--db", demo_db).stdout)["returned"]
    assert [r["reason"] for r in returned] == ["请附说明"]
