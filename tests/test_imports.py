"""The import pipeline end to end: nothing half-loaded, diff, commit, rollback, CLI — on
the DuckDB file and on PostgreSQL."""

import json

import pytest
from actors import ADMIN
from testdate import SETTINGS
from builders import AT
from excel.bookmaker import TODAY, make_db, seed, xlsx

from indicators.cli import main
from indicators.db import connection
from indicators.db.batches import batch_list
from indicators.errors import RejectedInput
from indicators.returns.pipeline import (
    change_counts,
    commit,
    diff_counts,
    preview_diff,
    read_return,
    rollback,
)

HEAD = ["期间", "单位", "指标", "数值"]
TABLES = ["org_unit", "indicator", "batch", "observation", "audit", "target"]

pytestmark = pytest.mark.both_stores


def snapshot(con):
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture
def con(store, request):
    c = make_db(":memory:" if store == "duckdb" else request.getfixturevalue("new_db"))
    seed(c, [("JS", "D1", "2026-09", 8.0), ("GQ", "D1", "2026-10", 5.0)])
    yield c
    c.close()


def test_rejected_file_leaves_every_table_unchanged(tmp_path, con):
    before = snapshot(con)
    path = xlsx(tmp_path / "bad.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 9],
                                        ["2026-10", "东城", "高企数", 3]])
    r = read_return(path, con=con, today=TODAY)
    assert not r.ok
    with pytest.raises(RejectedInput):
        commit(con, r, actor=ADMIN, settings=SETTINGS, confirm_warnings=True, at=AT)
    assert snapshot(con) == before


def test_warnings_need_confirmation(tmp_path, con):
    path = xlsx(tmp_path / "w.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 7]])  # fell from 8
    r = read_return(path, con=con, today=TODAY)
    assert r.ok and list(r.warnings["rule"]) == ["cumulative_fell"]
    before = snapshot(con)
    with pytest.raises(RejectedInput, match="警告"):
        commit(con, r, actor=ADMIN, settings=SETTINGS, at=AT)
    assert snapshot(con) == before
    batch_id = commit(con, r, actor=ADMIN, settings=SETTINGS, confirm_warnings=True, at=AT)
    # October is locked (since 2026-11-15), but 高新区's October figure is its first (新增): no lock note
    assert con.execute("SELECT note FROM batch WHERE id = ?", [batch_id]).fetchall()[0][0] == "已确认 1 条警告"


def test_diff_commit_and_rollback(tmp_path, con):
    path = xlsx(tmp_path / "ok.xlsx", [HEAD, ["2026-10", "高新区", "技术合同成交额", 9],
                                       ["2026-10", "高新区", "高企数", 6], ["2026-10", "东城区", "高企数", 4]])
    r = read_return(path, con=con, today=TODAY)
    diff = preview_diff(con, r)
    assert diff_counts(diff) == {"新增": 2, "修改": 1, "不变": 0}
    assert change_counts(con, r) == {"新增": 2, "修改": 1, "不变": 0}  # what `indicators import` prints
    changed = diff[diff["change"] == "修改"].iloc[0]
    assert (changed["indicator_code"], changed["old_value"], changed["new_value"]) == ("GQ", 5.0, 6.0)
    batch_id = commit(con, r, actor=ADMIN, settings=SETTINGS, at=AT)
    cur = con.execute("SELECT value FROM current_observation WHERE indicator_code='GQ' AND org_unit='D1' AND period='2026-10'").fetchall()[0]
    assert cur == (6.0,)
    assert diff_counts(preview_diff(con, r)) == {"新增": 0, "修改": 0, "不变": 3}
    assert change_counts(con, r) == {"新增": 0, "修改": 0, "不变": 3}
    assert rollback(con, batch_id, actor=ADMIN, settings=SETTINGS, at=AT) == 1
    cur = con.execute("SELECT value FROM current_observation WHERE indicator_code='GQ' AND org_unit='D1' AND period='2026-10'").fetchall()[0]
    assert cur == (5.0,)
    assert batch_list(con).iloc[0]["status"] == "rolled_back"
    with pytest.raises(RejectedInput):
        rollback(con, 999, actor=ADMIN, settings=SETTINGS, at=AT)


def test_same_file_recognised(tmp_path, con):
    path = xlsx(tmp_path / "ok.xlsx", [HEAD, ["2026-10", "东城区", "高企数", 4]])
    commit(con, read_return(path, con=con, today=TODAY), actor=ADMIN, settings=SETTINGS, at=AT)
    again = read_return(path.read_bytes(), "ok-copy.xlsx", con, today=TODAY)
    assert list(again.warnings["rule"]) == ["duplicate_file"]


def test_bytes_and_catalog_only(tmp_path, con):
    from indicators.returns.excel.matching import Catalog
    path = xlsx(tmp_path / "ok.xlsx", [HEAD, ["2026-10", "东城区", "高企数", 4]])
    r = read_return(path.read_bytes(), "ok.xlsx", catalog=Catalog.from_db(con), today=TODAY)
    assert r.ok and r.values[["indicator_code", "org_unit", "value"]].values.tolist() == [["GQ", "D2", 4.0]]
    assert list(r.values.columns) == ["indicator_code", "org_unit", "period", "value", "sheet", "row", "column", "cell"]


@pytest.fixture
def db(new_db):
    path = new_db
    c = make_db(path)
    seed(c, [("JS", "D1", "2026-09", 8.0)])
    c.close()
    return path


def count(path):
    c = connection.connect(path, read_only=True)
    try:
        return c.execute("SELECT count(*) FROM observation").fetchall()[0][0]
    finally:
        c.close()


@pytest.mark.parametrize("rows, flags, code, written", [
    ([["2026-10", "高新区", "技术合同成交额", 9]], [], 0, 2),
    ([["2026-10", "高新区", "技术合同成交额", 9]], ["--dry-run"], 0, 1),
    ([["2026-10", "东城", "技术合同成交额", 9]], [], 1, 1),
    ([["2026-10", "高新区", "技术合同成交额", 7]], [], 1, 1),  # warning without --yes
    ([["2026-10", "高新区", "技术合同成交额", 7]], ["--yes"], 0, 2),
])
def test_cli_import(tmp_path, db, capsys, monkeypatch, rows, flags, code, written):
    monkeypatch.setenv("INDICATORS_TODAY", TODAY.isoformat())  # the day these returns are checked on
    path = xlsx(tmp_path / "r.xlsx", [HEAD] + rows)
    assert main(["import", str(path), "--db", str(db)] + flags) == code
    assert count(db) == written
    out = capsys.readouterr()
    if code:
        assert "未导入任何数据" in out.err


def test_cli_import_json_and_located_messages(tmp_path, db, capsys, monkeypatch):
    monkeypatch.setenv("INDICATORS_TODAY", TODAY.isoformat())
    good = xlsx(tmp_path / "good.xlsx", [HEAD, ["2026-10", "东城区", "高企数", 3]])
    bad = xlsx(tmp_path / "bad.xlsx", [HEAD, ["2026-10", "东城", "高企数", 3]])
    assert main(["import", str(good), str(bad), "--db", str(db), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["written"] is False
    p = out["files"][1]["problems"][0]
    assert (p["sheet"], p["row"], p["column"], p["rule"]) == ("报表", 2, "B", "unknown_unit")
    assert count(db) == 1  # the good file was not written either
    assert main(["import", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "bad.xlsx › 报表 B2" in err and "东城区" in err


def test_cli_template_then_import(tmp_path, db, capsys):
    out = tmp_path / "tpl.xlsx"
    assert main(["template", "--period", "2026-10", "--unit", "D1", "--out", str(out), "--db", str(db)]) == 0
    assert out.exists()
    assert main(["template", "--period", "2026-10", "--unit", "NOPE", "--out", str(out), "--db", str(db)]) == 1
