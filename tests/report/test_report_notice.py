"""report.notice: the draft notice in markdown and docx says what the numbers say."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import docx
import pandas as pd
import pytest

from indicators.report import notice
from indicators.report.notice import _cn, headline, notice_blocks, to_docx, to_markdown


@pytest.fixture(scope="module")
def blocks(tiny_summary):
    return notice_blocks(tiny_summary, issued=date(2026, 11, 23), deadline_day=5)


def test_headline_states_the_counts(tiny_table, tiny_summary):
    city = tiny_table[tiny_table["level"] == 0]
    n = int((city["status"] != "no_target").sum())
    x = int(city["status"].isin(["done", "on_track"]).sum())
    y = int(city["status"].isin(["lagging", "far_behind"]).sum())
    text = headline(tiny_summary)
    assert text.startswith(f"截至2026年10月，测试市{n}项重点指标中，{x}项达到序时进度，{y}项滞后")


def test_sections_in_order(blocks):
    heads = [b.text for b in blocks if b.kind == "heading"]
    assert heads == ["一、总体情况", "二、主要指标完成情况", "三、滞后指标及牵头单位", "四、各区县排名", "五、报送情况",
                     "六、下一步工作要求"]
    assert [(b.kind, b.text) for b in blocks[:4]] == [("organ", "市科技局文件"), ("docno", "〔2026〕　　号"),
                                                      ("signer", "签发人：　　　　"), ("rule", "")]  # the 红头
    assert blocks[4].kind == "title" and blocks[4].text == "关于2026年10月测试市科技创新重点指标调度情况的通报"
    assert blocks[-1].text == "2026年11月23日" and blocks[-2].text == "市科技局"


def test_lagging_and_ranking_paragraphs(blocks, tiny_summary):
    text = "\n".join(b.text for b in blocks)
    # city 90 of 150 = 60.0%; 序时 from last year's pace: (50 + 30) / (80 + 40) = 66.7%
    # 9月: 78 of 150 = 52.0% against 9/12 = 75.0% (no 2025-09 pace): -23.0; -6.7 − (-23.0) = +16.3
    assert ("2. 技术合同成交额：1—10月累计90.00亿元，目标150.00亿元，完成60.0%，低于序时进度6.7个百分点（滞后），"
            "差距较上月+16.3个百分点（上月-23.0个百分点）；"
            "牵头科室：成果转化科；分管领导：李副局长；滞后区县：乙县。") in text
    assert ("（一）技术合同成交额。1—10月累计90.00亿元，目标150.00亿元，完成60.0%，低于序时进度6.7个百分点，"
            "差距较上月+16.3个百分点（上月-23.0个百分点），同比增长12.5%。") in text
    # 排名升降: in 9月 甲区 had 1 of 6 on track (GDP), 乙县 none — the same places as now
    assert "第1名 甲区（上月第1名，持平）：应报6项，已完成或达序时4项（67%）" in text
    assert "第2名 乙县（上月第2名，持平）：应报6项，已完成或达序时0项（0%）" in text
    for r in tiny_summary.ranking.itertuples():
        if pd.notna(r.rank):
            assert f"第{int(r.rank)}名 {r.org_unit_name}（上月第{int(r.rank_last)}名，持平）：应报{r.due}项" in text


def test_markdown_and_docx_carry_the_same_text(blocks):
    md = to_markdown(blocks)
    assert md.startswith("**市科技局文件**") and "\n# 关于2026年10月" in md
    assert "## 三、滞后指标及牵头单位" in md
    d = docx.Document(io.BytesIO(to_docx(blocks)))
    paras = [p.text for p in d.paragraphs if p.text]
    assert paras == [b.text for b in blocks if b.text]  # the red rule is a border, no text
    for b in blocks[2:-2]:
        assert b.text in md


def test_docx_uses_official_document_fonts(blocks):
    from docx.oxml.ns import qn
    d = docx.Document(io.BytesIO(to_docx(blocks)))
    organ, title, body = d.paragraphs[0].runs[0], d.paragraphs[4].runs[0], d.paragraphs[6].runs[0]
    assert organ._element.rPr.rFonts.get(qn("w:eastAsia")) == notice.ORGAN_FONT
    assert str(organ.font.color.rgb) == notice.RED and organ.font.size.pt == 42  # the 红头
    red_rule = d.paragraphs[3]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert red_rule.get(qn("w:color")) == notice.RED
    assert title._element.rPr.rFonts.get(qn("w:eastAsia")) == notice.TITLE_FONT
    assert body._element.rPr.rFonts.get(qn("w:eastAsia")) == notice.BODY_FONT
    assert body.font.size.pt == 16


@pytest.mark.parametrize("n, text", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (25, "二十五")])
def test_chinese_ordinals(n, text):
    assert _cn(n) == text


def test_no_lagging_says_so(tiny_summary):
    calm = replace(tiny_summary, lagging=tiny_summary.lagging.iloc[0:0])
    text = "\n".join(b.text for b in notice_blocks(calm, issued=date(2026, 11, 23), deadline_day=5))
    assert "本月无滞后于序时进度的指标。" in text
    assert not re.search(r"\d+\. ", text)


def test_reporting_paragraph_names_who_has_not_sent(tiny_summary):
    from indicators.report.notice import reporting_sentence
    kids = tiny_summary.children
    due = kids[~kids["status"].isin(["not_due", "no_target"])]
    units = list(dict.fromkeys(due["org_unit_name"]))
    late = due[due["status"] == "missing"]
    text = reporting_sentence(tiny_summary)
    assert text.startswith(f"本月应报送数据的{len(units)}个区县中，")
    for unit, n in late.groupby("org_unit_name").size().items():
        assert f"{unit}未报送{n}项指标" in text


def test_reporting_paragraph_by_hand():
    import pandas as pd
    from indicators.report.notice import reporting_sentence
    from indicators.report.summary import Summary
    kids = pd.DataFrame({"org_unit_name": ["甲区", "甲区", "乙县", "乙县", "丙县"],
                         "status": ["on_track", "missing", "missing", "missing", "not_due"]})
    s = Summary(period="2026-10", scope_code="C", scope_name="测试市", source="市科技局指标月调度系统",
                indicators=pd.DataFrame({"status": []}), children=kids, counts={}, lagging=pd.DataFrame(),
                ranking=pd.DataFrame())
    # when each figure came is not known to this summary: it says nothing of 按时
    assert reporting_sentence(s) == "本月应报送数据的2个区县中，0个已全部报送；甲区未报送1项指标、乙县未报送2项指标，请抓紧补报。"
    full = replace(s, children=kids.assign(status=["on_track", "on_track", "lagging", "on_track", "not_due"]),
                   reporting=pd.DataFrame({"org_unit_name": ["甲区", "乙县"], "sent_late": [0, 2]}))
    assert reporting_sentence(full) == "本月应报送数据的2个区县中，1个已按时全部报送；乙县逾期报送2项。"


def test_a_district_that_sent_after_the_deadline_is_not_on_time(tmp_path):
    """乙县 sends its October figures on 11-20, past the 11-05 deadline (甲区 on 11-03): the notice says so in both
    of its 报送情况 sentences — never 按时 or 无迟报 (written out from the tiny city: 乙县's October brings 技术合同成交额
    20, the two components of the derived ratio and 每万人发明专利拥有量; 高新技术企业数 and 研发活动空白率 it never sends)."""
    import datetime as dt

    from indicators import report
    from indicators.settings import Settings
    from make_late import late_city
    con = late_city(on_time=dt.datetime(2026, 11, 3, 9, 0), late=dt.datetime(2026, 11, 20, 9, 0))
    s = report.build_summary(con, "2026-10", settings=Settings())
    from indicators.report.notice import reporting_sentence
    assert reporting_sentence(s) == ("本月应报送数据的2个区县中，1个已按时全部报送；乙县逾期报送4项；"
                                     "乙县未报送2项指标，请抓紧补报。")
    text = "\n".join(b.text for b in notice_blocks(s, issued=date(2026, 11, 23), deadline_day=5))
    assert ("报送情况：本月应报送的2个单位中，1个已全部报送（甲区）；1个逾期报送：乙县（技术合同成交额、高新技术产业产值、"
            "规上工业总产值等4项）；1个未报齐：乙县（缺高新技术企业数、研发活动空白率）。") in text
    assert "无迟报" not in text
    # both on time: 无迟报 is true
    con = late_city(on_time=dt.datetime(2026, 11, 3, 9, 0), late=dt.datetime(2026, 11, 5, 23, 0))
    s = report.build_summary(con, "2026-10", settings=Settings())
    assert reporting_sentence(s).startswith("本月应报送数据的2个区县中，1个已按时全部报送；乙县未报送2项指标")
