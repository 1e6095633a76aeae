"""Reading a 重点工作安排: the seed page itself, numbered and unnumbered sections,
full-width digits, wrapped items, .docx."""

import io
from pathlib import Path

import docx
import pytest

from indicators.errors import RejectedInput
from indicators.tasks.plan import parse_text, read_plan

SEED = Path(__file__).parent / "data" / "zjg_2022_03_plan.txt"

# Counted by hand in the seed (张家港市科技局2022年3月份重点工作安排, printed twice on the page):
# 一 重要活动 5, 二 科技招商 4, 高企培育 (number lost, one unnumbered item) 1, 四 科技合作 3,
# 五 人才引进培育 2, 六 载体平台建设 2, 七 政策规划 3, 八 项目申报 (one unnumbered item) 1,
# 、其他工作 (numeral lost) 4 — 25 items in 9 sections.
SEED_SECTIONS = {"重要活动": 5, "科技招商": 4, "高企培育": 1, "科技合作": 3, "人才引进培育": 2,
                 "载体平台建设": 2, "政策规划": 3, "项目申报": 1, "其他工作": 4}


def test_seed_plan_sections_and_items():
    reading = read_plan(SEED.read_bytes(), SEED.name)
    assert reading.counts() == SEED_SECTIONS
    assert list(reading.counts()) == list(SEED_SECTIONS)  # in the page's order
    assert len(reading.items) == 25
    assert reading.title == "市科技局2022年3月份重点工作安排"
    assert reading.period_hint == "2022-03"


def test_seed_plan_item_texts():
    items = read_plan(SEED.read_bytes()).items
    assert items[0].text == "3月初左右视情召开2022年市委创新委员会第一次工作会议"  # "1.3月初…": 3 is text
    assert items[0].number == 1
    gaoqi = [i for i in items if i.section == "高企培育"]
    assert [(i.number, i.text) for i in gaoqi] == [(None, "2022年度高企申报项目源摸排及填报高企2021年度火炬统计年报")]
    assert items[-1].text == "做好科研院所、外国专家、校外科技类培训机构疫情防控工作"
    assert [i.number for i in items if i.section == "其他工作"] == [1, 2, 3, 4]


def test_seed_plan_says_what_it_left_out():
    why = [w for _, _, w in read_plan(SEED.read_bytes()).skipped]
    assert sum("重复" in w for w in why) == 9  # the second printing, section by section
    assert any("编号条目之后" in w for w in why)  # the page footer (扫一扫…)
    assert sum(w == "标题之前的文字" for w in why) == 2  # breadcrumb and 来源 line


def test_full_width_digits_and_wrapped_items():
    text = ("２０２６年５月重点工作安排\n"
            "一、人才工作\n"
            "１．开展第一批领军人才\n"
            "申报工作；\n"
            "２、组织（面试）；\n"
            "\n"
            "（３）第三项。\n"
            "二．科技合作\n"
            "1)对接高校\n"
            "  院所\n")
    reading = parse_text(text)
    assert [(i.section, i.number, i.text) for i in reading.items] == [
        ("人才工作", 1, "开展第一批领军人才申报工作"),
        ("人才工作", 2, "组织（面试）"),
        ("人才工作", 3, "第三项"),
        ("科技合作", 1, "对接高校院所"),
    ]
    assert reading.period_hint == "2026-05"


def test_unnumbered_section_between_numbered_ones():
    text = "一、甲类\n1.第一项\n\n乙类工作\n\n一段没有编号的工作。\n\n三、丙类\n1.丙一\n2.丙二\n"
    reading = parse_text(text)
    assert reading.counts() == {"甲类": 1, "乙类工作": 1, "丙类": 2}
    assert reading.items[1].text == "一段没有编号的工作"


def test_a_short_line_after_the_last_heading_is_not_a_section():
    reading = parse_text("一、甲类\n1.第一项\n\n回到顶部\n")
    assert reading.counts() == {"甲类": 1}
    assert reading.skipped == [(4, "回到顶部", "「甲类」编号条目之后的未编号文字")]


def test_docx_plan():
    document = docx.Document()
    for line in ["示例市科技局2026年10月份重点工作安排", "一、科技招商", "1.完成科招项目认定；",
                 "2.推进平台上线", "高企培育", "高企申报项目源摸排。", "三、其他工作", "1.年报填报"]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    reading = read_plan(buf.getvalue(), "安排.docx")
    assert reading.counts() == {"科技招商": 2, "高企培育": 1, "其他工作": 1}
    assert reading.period_hint == "2026-10"


def test_gbk_text():
    reading = read_plan("一、科技合作\n1.对接高校\n".encode("gbk"), "plan.txt")
    assert reading.counts() == {"科技合作": 1}


def test_unicode_text_as_notepad_saves_it():
    """Notepad's and Excel's 「Unicode」: UTF-16 little-endian with its BOM, CRLF lines."""
    reading = read_plan(b"\xff\xfe" + "一、科技合作\r\n1.对接高校\r\n2.共建平台\r\n".encode("utf-16-le"), "plan.txt")
    assert reading.counts() == {"科技合作": 2}


def test_a_text_in_no_encoding_read_names_the_ones_read():
    with pytest.raises(RejectedInput, match="UTF-8、GBK、Unicode（UTF-16）编码的文本文件"):
        read_plan(b"\xff\xfe" + "一、".encode("utf-16-le") + b"\x00\xd8", "plan.txt")


def test_not_a_word_file():
    with pytest.raises(RejectedInput, match="无法打开 Word 文件"):
        read_plan(b"PK\x03\x04garbage", "x.docx")
