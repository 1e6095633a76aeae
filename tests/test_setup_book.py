"""The setup workbook: template, round trip, located refusals, target history."""

import datetime as dt

import pandas as pd
import pytest
from actors import ADMIN
from builders import AT, tiny_setup

from indicators.db import catalog, connection
from indicators.errors import RejectedInput
from indicators.setup import workbook


def test_blank_template_has_a_sheet_per_kind(tmp_path):
    path = workbook.write_workbook(tmp_path / "blank.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert list(sheets) == ["说明", "单位", "科室", "领导", "指标", "责任分工", "目标", "联系人", "重点任务"]
    assert list(sheets["指标"].columns)[:6] == ["指标代码", "指标名称", "别名", "类别", "计量单位", "指标类型"]


def test_round_trip_through_a_workbook(tmp_path):
    frames = tiny_setup()
    path = workbook.write_workbook(tmp_path / "setup.xlsx", frames)
    back = workbook.read_workbook(path)
    assert list(back["org_unit"]["code"]) == ["C", "A", "B", "Z"]
    assert back["org_unit"]["parent_code"].tolist() == [None, "C", "C", "A"]
    ratio = back["indicator"].set_index("code").loc["R"]
    assert (ratio.kind, ratio.numerator_code, ratio.denominator_code, ratio.factor) == ("ratio", "NUM", "DEN", 100.0)
    assert back["indicator"].set_index("code").loc["LOW", "direction"] == "lower"
    assert back["indicator"].set_index("code").loc["GDP", "frequency"] == "quarterly"
    con = connection.connect(":memory:")
    workbook.load_setup(con, back, actor=ADMIN, at=AT)
    assert catalog.org_units(con)["level"].tolist() == [0, 1, 1, 2]


def test_chinese_words_in_the_workbook_are_understood(tmp_path):
    path = workbook.write_workbook(tmp_path / "setup.xlsx", tiny_setup())
    sheet = pd.read_excel(path, sheet_name="指标", engine="calamine")
    assert set(sheet["指标类型"]) == {"累计值", "期末值", "比率"}
    assert set(sheet["频度"]) == {"月度", "季度"}


@pytest.mark.parametrize("sheet,column,value,message", [
    ("单位", "上级单位代码", "NOPE", "上级单位代码 NOPE 不存在"),
    ("指标", "指标类型", "平均值", "不是有效的kind"),
    ("目标", "单位代码", "X9", "单位代码 X9 不存在"),
    ("目标", "目标值", "很多", "目标值不是数字"),
    ("指标", "指标名称", None, "「指标名称」不能为空"),
])
def test_bad_workbooks_are_refused_with_the_place(tmp_path, sheet, column, value, message):
    path = workbook.write_workbook(tmp_path / "setup.xlsx", tiny_setup())
    book = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
    book[sheet].loc[1, column] = value
    with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
        for name, frame in book.items():
            frame.to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(RejectedInput, match=message):
        workbook.read_workbook(path)


def test_changed_target_is_a_new_row_and_the_latest_counts():
    con = connection.connect(":memory:")
    frames = tiny_setup()
    workbook.load_setup(con, frames, actor=ADMIN, at=AT)
    workbook.load_setup(con, frames, actor=ADMIN, at=AT)  # unchanged: no new rows
    assert con.execute("SELECT count(*) FROM target").fetchone()[0] == len(frames["target"])
    change = frames["target"].iloc[[0]].assign(value=180.0, reason="年中调整")
    assert workbook.revise_targets(con, change, actor=ADMIN, at=AT + dt.timedelta(minutes=1)) == 1
    history = catalog.target_history(con, "TC", "C")
    assert history["value"].tolist() == [150.0, 180.0]
    current = catalog.current_targets(con, 2026).set_index(["indicator_code", "org_unit"])
    assert current.loc[("TC", "C"), "value"] == 180.0
    assert current.loc[("TC", "C"), "reason"] == "年中调整"


def test_readme_documents_every_setup_column():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for sheet, columns in workbook.SHEETS.values():
        assert f"**{sheet}**" in readme
        for c in columns:
            assert f"| {c.header} |" in readme, c.header


def _with_target(basis, code="HT"):
    frames = tiny_setup()
    t = frames["target"]
    t["basis"] = None
    t.loc[(t["indicator_code"] == code) & (t["org_unit"] == "A"), "basis"] = basis
    return frames


def test_target_basis_round_trips_in_the_bureaus_words(tmp_path):
    path = workbook.write_workbook(tmp_path / "setup.xlsx", _with_target("increase"))
    sheet = pd.read_excel(path, sheet_name="目标", engine="calamine")
    assert "年内新增" in set(sheet["目标口径"].dropna())
    back = workbook.read_workbook(path)
    row = back["target"][(back["target"]["indicator_code"] == "HT") & (back["target"]["org_unit"] == "A")].iloc[0]
    assert row["basis"] == "increase"
    con = connection.connect(":memory:")
    workbook.load_setup(con, back, actor=ADMIN, at=AT)
    got = catalog.current_targets(con, 2026).set_index(["indicator_code", "org_unit"])
    assert got.loc[("HT", "A"), "basis"] == "increase" and pd.isna(got.loc[("TC", "A"), "basis"])
    # changing only the basis is a new target (the history shows what the number meant)
    back["target"].loc[(back["target"]["indicator_code"] == "HT") & (back["target"]["org_unit"] == "A"), "basis"] = "level"
    workbook.load_setup(con, back, actor=ADMIN, at=AT + dt.timedelta(hours=1))
    assert len(catalog.target_history(con, "HT", "A")) == 2


@pytest.mark.parametrize("code,basis,message", [
    ("HT", "年底达到", "目标口径「年底达到」无效，可选 年末达到 / 年内新增"),
    ("TC", "年内新增", "TC 是累计值指标，目标即全年累计，目标口径请留空"),
    ("LOW", "年内新增", "LOW 越低越好，目标请按 年末达到 填写应控制到的水平"),
])
def test_a_basis_that_does_not_fit_is_refused_in_one_line(tmp_path, code, basis, message):
    frames = _with_target(None)
    frames["target"].loc[(frames["target"]["indicator_code"] == code) & (frames["target"]["org_unit"] == "A"),
                         "basis"] = basis
    path = workbook.write_workbook(tmp_path / "setup.xlsx", frames)
    with pytest.raises(RejectedInput, match=message):
        workbook.read_workbook(path)
