"""The one-page A3 简报 (report.render(summary, "brief")): one A3 landscape page with the
key numbers, the lagging list and two charts, every font embedded."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from needs import require_tool

from indicators import report
from indicators.report import brief
from indicators.settings import Settings


@pytest.fixture(scope="module")
def brief_pdf(tiny_db, tmp_path_factory):
    require_tool("soffice")
    from indicators.db import connection
    with connection.connect(tiny_db, read_only=True) as con:
        summary = report.build_summary(con, "2026-10", settings=Settings())
    path = tmp_path_factory.mktemp("brief") / "brief.pdf"
    path.write_bytes(report.render(summary, "brief", issued=dt.date(2026, 11, 6), deadline_day=5))
    return path, summary


def test_one_a3_landscape_page(brief_pdf):
    path, _ = brief_pdf
    info = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info), info
    assert re.search(r"Page size:\s+1190\.\d+ x 841\.\d+ pts \(A3\)", info), info


def test_key_numbers_lagging_list_and_two_charts(brief_pdf):
    path, summary = brief_pdf
    text = re.sub(r"\s+", "", subprocess.run([require_tool("pdftotext"), str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "测试市科技创新重点指标月调度简报（2026年10月）" in text
    assert "滞后指标及牵头单位" in text
    for name in summary.lagging["indicator_name"]:
        assert name in text
    codes = brief.chart_codes(summary)
    assert len(codes) == min(2, len(set(summary.children["indicator_code"])))
    names = dict(zip(summary.children["indicator_code"], summary.children["indicator_name"]))
    for code in codes:
        assert f"{names[code]}完成进度（按区县）" in text or f"{names[code]}数值与序时应达值（按区县）" in text
    assert "数据截至2026年10月" in text


def test_fonts_embedded(brief_pdf):
    path, _ = brief_pdf
    out = subprocess.run([require_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[2:] and {line.split()[-5] for line in out[2:]} == {"yes"}, "\n".join(out)


def test_file_name(brief_pdf):
    _, summary = brief_pdf
    assert report.file_name(summary, "brief") == "2026年10月测试市重点指标调度简报（A3）.pdf"


def test_district_ranking_with_moves_against_last_month(brief_pdf):
    path, summary = brief_pdf
    import io

    from pptx import Presentation
    slide = Presentation(io.BytesIO(brief.build_brief(summary, issued=dt.date(2026, 11, 6)))).slides[0]
    tables = [[[c.text for c in r.cells] for r in sh.table.rows] for sh in slide.shapes if sh.has_table]
    ranking = [t for t in tables if t[0] == ["名次", "区县", "达序时/应报", "占比", "升降"]]
    # 10月: 甲区 4 of 6 due on track or done (67%), 乙县 none; in 9月 甲区 had 1 of 6 (GDP), 乙县 none:
    # the same places as now
    assert ranking == [[["名次", "区县", "达序时/应报", "占比", "升降"],
                        ["1", "甲区", "4/6", "67%", "持平"], ["2", "乙县", "0/6", "0%", "持平"]]]
    text = re.sub(r"\s+", "", subprocess.run([require_tool("pdftotext"), str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "区县排名（按达序时指标占比，升降较上月）" in text
