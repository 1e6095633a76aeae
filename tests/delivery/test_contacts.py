"""The 联系人 sheet of the setup workbook: who receives 催报 and the pack."""

from __future__ import annotations

import pandas as pd
import pytest
import testdate
from actors import ADMIN
from builders import AT, tiny_setup
from services import contact_frame

from indicators import demo
from indicators.db.connection import connect
from indicators.delivery import contacts
from indicators.errors import RejectedInput
from indicators.setup import workbook


@pytest.fixture
def con():
    c = connect(":memory:")
    yield c
    c.close()


def test_round_trip_through_the_workbook(con, tmp_path):
    frames = tiny_setup() | {"contact": contact_frame()}
    book = workbook.write_workbook(tmp_path / "设置.xlsx", frames)
    raw = pd.read_excel(book, sheet_name="联系人", engine="calamine", dtype=object)
    assert list(raw.columns) == ["单位代码", "姓名", "邮箱", "手机", "企业微信账号", "接收", "排序"]
    assert raw["接收"].tolist() == ["催报", "催报", "催报", "催报", "通报", "催报；通报"]
    workbook.load_setup(con, workbook.read_workbook(book), actor=ADMIN, at=AT)
    got = contacts.load(con)
    assert got["name"].tolist() == ["张局长", "综合科", "甲区填报员", "乙县填报员", "乙县科技局", "园区填报员"]
    assert got.loc[got["name"] == "乙县填报员", "mobile"].item() == "10000000002"  # a number cell, read as text
    assert contacts.emails(contacts.of_unit(got, "B")) == ["b@example.invalid", "b2@example.invalid"]
    assert contacts.emails(contacts.receiving(got, "pack")) == ["leader@kjj.example.invalid", "zhk@kjj.example.invalid"]


def test_a_workbook_without_the_sheet_keeps_the_contacts(con, tmp_path):
    workbook.load_setup(con, tiny_setup() | {"contact": contact_frame()}, actor=ADMIN, at=AT)
    book = workbook.write_workbook(tmp_path / "旧.xlsx", tiny_setup())
    from openpyxl import load_workbook
    wb = load_workbook(book)
    del wb["联系人"]
    wb.save(book)
    frames = workbook.read_workbook(book)
    assert "contact" not in frames
    workbook.load_setup(con, frames, actor=ADMIN, at=AT)
    assert len(contacts.load(con)) == len(contact_frame())


@pytest.mark.parametrize("column, value, message", [
    ("邮箱", "b@example", "第3行「邮箱」不是有效的邮箱地址：「b@example」"),
    ("接收", "月报", "第2行「接收」应为 催报、通报 或 催报；通报，收到「月报」"),
    ("单位代码", "NOPE", "联系人：单位代码 NOPE 不存在"),
])
def test_bad_rows_are_refused_with_the_place(tmp_path, column, value, message):
    frames = tiny_setup() | {"contact": contact_frame()}
    book = workbook.write_workbook(tmp_path / "设置.xlsx", frames)
    from openpyxl import load_workbook
    wb = load_workbook(book)
    ws = wb["联系人"]
    col = [c.value for c in ws[1]].index(column) + 1
    ws.cell(row=3 if column == "邮箱" else 2, column=col, value=value)
    wb.save(book)
    with pytest.raises(RejectedInput, match=message):
        workbook.read_workbook(book)


def test_demo_contacts_cannot_reach_anyone():
    frames = demo.demo_setup_frames(testdate.AS_OF, testdate.SETTINGS)
    frame = frames["contact"]
    assert frame["email"].str.endswith(".invalid").all()
    units = set(frame["org_unit"].dropna())
    assert units == set(frames["org_unit"].query("parent_code.notna()")["code"])
    assert set(frame.loc[frame["org_unit"].isna(), "receives"]) == {"pack", "reminder,pack"}
