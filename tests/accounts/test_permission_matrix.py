"""Role × action: every write path, for every role, allowed or refused — and when refused,
one Chinese line (PermissionDenied) and not a single row written anywhere.

The world: the tiny city (districts A and B under city C; 科室 D1 leads HT, D2 leads TC),
one account per role (``conftest.ACCOUNTS``), on 2026-11-10 (October still open), with
batch P — district A's own return (TC and HT of A), 待审核 — and batch Q — the admin's HT
figures of A and B.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from actors import ADMIN

from indicators import explanations
from indicators.accounts import users
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.errors import PermissionDenied
from indicators.returns import lock, pipeline, review
from indicators.settings import Settings
from indicators.setup import workbook
from indicators.tasks import drafts
from indicators.tasks import store as task_store
from indicators.tasks.plan import parse_text

NOW = dt.datetime(2026, 11, 10, 10, 0)
SETTINGS = Settings(today=NOW.date())
ROLES = ["adm", "off", "dep1", "dep2", "dist_a", "dist_b", "lead"]


def csv_return(rows: list[tuple]) -> bytes:
    return ("期间,单位代码,指标代码,数值\n" + "".join(f"{p},{u},{i},{v}\n" for p, u, i, v in rows)).encode()


def read(con, rows, name="return.csv"):
    return pipeline.read_return(csv_return(rows), name, con, today=NOW.date())


@pytest.fixture(scope="module")
def world_master(accounts_master, tmp_path_factory):
    path = tmp_path_factory.mktemp("world") / "world.duckdb"
    shutil.copy(accounts_master, path)
    with connection.connect(path) as con:
        p = pipeline.commit(con, read(con, [("2026-10", "A", "TC", 72), ("2026-10", "A", "HT", 111)], "p.csv"),
                            actor=users.actor_for(con, "dist_a"), settings=SETTINGS, at=NOW, confirm_warnings=True)
        q = pipeline.commit(con, read(con, [("2026-10", "A", "HT", 112), ("2026-10", "B", "HT", 55)], "q.csv"),
                            actor=ADMIN, settings=SETTINGS, at=NOW, confirm_warnings=True)
        task = pd.DataFrame([dict(code="T1", name="高企培育", category="高企", lead_department="D1", leader="L1",
                                  support_departments=None, org_units=None, annual_goal="新增 20 家",
                                  nodes="12:认定", deadline=None, plan_period=None, state="active", sort_order=1)])
        # as the setup workbook's 重点任务 sheet is stored (workbook.load_setup → save_tasks)
        con.write(lambda tx: task_store.save_tasks(tx, task, actor=ADMIN, how="setup", at=NOW))
        con.execute("CHECKPOINT")
    assert (p, q) == (2, 3)
    return path


@pytest.fixture
def world(world_master, tmp_path):
    path = tmp_path / "world.duckdb"
    shutil.copy(world_master, path)
    with connection.connect(path) as con:
        yield con


def snapshot(con) -> dict:
    tables = [t for (t,) in con.execute("""SELECT table_name FROM information_schema.tables
                                           WHERE table_type = 'BASE TABLE' ORDER BY 1""").fetchall()]
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def _explain(unit: str, indicator: str):
    def go(con, actor):
        table = dispatch_table(con, "2026-10", SETTINGS)
        explanations.give(con, table, indicator_code=indicator, org_unit=unit, reason="企业申报集中在年底",
                          measures="上门辅导", catch_up="2026-12", actor=actor, at=NOW)
    return go


def _targets(con, actor):
    frame = pd.DataFrame([dict(indicator_code="TC", org_unit="A", year=2026, value=101.0, milestones=None,
                               set_by=None, reason="年中调整")])
    workbook.revise_targets(con, frame, actor=actor, at=NOW)


def _setup(con, actor):
    from builders import tiny_setup
    workbook.load_setup(con, tiny_setup(), actor=actor, at=NOW)


def _progress(con, actor):
    task_store.record_progress(con, pd.DataFrame([dict(task_code="T1", period="2026-10", status="按计划推进",
                                                       progress="摸排", problems=None, next_steps=None)]),
                               actor=actor, source="测试", at=NOW)


WRITES = {  # what each write does, and the roles that may do it here
    "import A·HT": (lambda con, a: pipeline.commit(con, read(con, [("2026-10", "A", "HT", 113)]), actor=a,
                                                    settings=SETTINGS, at=NOW, confirm_warnings=True),
                    {"adm", "dep1", "dist_a"}),
    "import B·TC": (lambda con, a: pipeline.commit(con, read(con, [("2026-10", "B", "TC", 21)]), actor=a,
                                                    settings=SETTINGS, at=NOW, confirm_warnings=True),
                    {"adm", "dep2", "dist_b"}),
    "rollback P (A: TC, HT)": (lambda con, a: pipeline.rollback(con, 2, actor=a, settings=SETTINGS, at=NOW),
                               {"adm", "dist_a"}),
    "rollback Q (A, B: HT)": (lambda con, a: pipeline.rollback(con, 3, actor=a, settings=SETTINGS, at=NOW),
                              {"adm", "dep1"}),
    "approve P": (lambda con, a: review.approve(con, a, 2, at=NOW), {"adm", "off", "dep1", "dep2"}),
    "return P": (lambda con, a: review.return_batch(con, a, 2, "数据有误", settings=SETTINGS, at=NOW),
                 {"adm", "off", "dep1", "dep2"}),
    "edit a target": (_targets, {"adm"}),
    "import the setup workbook": (_setup, {"adm"}),
    "unlock 2026-09 for A": (lambda con, a: lock.unlock(con, a, period="2026-09", unit="A", hours=4,
                                                        settings=SETTINGS, now=NOW), {"adm"}),
    "add a user": (lambda con, a: users.add_user(con, a, "newbie", "leader", password="Newbie-pass-1", at=NOW),
                   {"adm"}),
    "reset a password": (lambda con, a: users.reset_password(con, a, "lead", at=NOW), {"adm"}),
    "disable a user": (lambda con, a: users.set_disabled(con, a, "lead", at=NOW), {"adm"}),
    "import a work plan": (lambda con, a: drafts.draft_plan(con, parse_text("一、高企\n1.辅导\n"), "2026-10",
                                                            actor=a, at=NOW), {"adm"}),
    "task progress (D1's task)": (_progress, {"adm", "dep1"}),
    "explain B·PAT (a district row)": (_explain("B", "PAT"), {"adm", "dist_b"}),
    "explain C·TC (the city's row, D2 leads)": (_explain("C", "TC"), {"adm", "dep2"}),
}
CASES = [(w, r, r in allowed) for w, (_, allowed) in WRITES.items() for r in ROLES]


@pytest.mark.parametrize("write,login,allowed", CASES, ids=[f"{w}-{r}" for w, r, _ in CASES])
def test_role_by_write(world, write, login, allowed):
    do, _ = WRITES[write]
    actor = users.actor_for(world, login)
    before = snapshot(world)
    if allowed:
        do(world, actor)
        after = snapshot(world)
        assert after != before
        logged = [r for r in after["audit"] if r not in before["audit"]]
        assert logged and {(r[4], r[5]) for r in logged} == {(login, actor.role)}  # who: login and role
    else:
        with pytest.raises(PermissionDenied) as refused:
            do(world, actor)
        assert "\n" not in str(refused.value) and actor.display in str(refused.value) or "只能" in str(refused.value)
        assert snapshot(world) == before  # nothing written, anywhere


def test_a_district_file_with_another_units_rows_is_refused_whole_naming_them(world):
    dist_a = users.actor_for(world, "dist_a")
    reading = read(world, [("2026-10", "A", "TC", 73), ("2026-10", "B", "TC", 22), ("2026-10", "B", "HT", 56)],
                   "mixed.csv")
    before = snapshot(world)
    with pytest.raises(PermissionDenied) as refused:
        pipeline.commit(world, reading, actor=dist_a, settings=SETTINGS, at=NOW, confirm_warnings=True)
    assert str(refused.value) == ("dist_a 测试（区县填报员·甲区）只能报送甲区的数据；文件「mixed.csv」中有 2 行属于其他单位："
                                  "mixed 第 3–4 行（乙县）。整份未导入，请删去这些行或由相应单位报送。")
    assert snapshot(world) == before
