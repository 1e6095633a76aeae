"""The notice as PDF, through LibreOffice — the one place a PDF is made."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators import report
from indicators.report import pdf
from indicators.settings import Settings


def test_notice_as_pdf(tiny_con, soffice):
    summary = report.build_summary(tiny_con, "2026-10", settings=Settings())
    data = report.render(summary, "pdf", issued=dt.date(2026, 11, 6), deadline_day=5)
    assert data[:5] == b"%PDF-" and len(data) > 5000
    assert report.file_name(summary, "pdf") == "2026年10月测试市重点指标调度通报.pdf"


def test_without_libreoffice_one_chinese_line(tiny_con, monkeypatch):
    monkeypatch.setattr(pdf, "SOFFICE_NAMES", ("no-such-soffice",))
    summary = report.build_summary(tiny_con, "2026-10", settings=Settings())
    with pytest.raises(pdf.PdfUnavailable, match="本机未安装 LibreOffice（soffice），无法生成 PDF"):
        report.render(summary, "pdf", issued=dt.date(2026, 11, 6), deadline_day=5)
