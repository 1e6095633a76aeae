"""The 红头 notice as PDF (LibreOffice headless): A4, the issuing organ, 文号 and 签发人 on
the first page, every section, and every font embedded (a PDF sent to a district must look
the same on a machine without 仿宋 or 黑体)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess


import pytest
from needs import require_tool

from indicators import report
from indicators.settings import Settings


@pytest.fixture(scope="module")
def notice_pdf(tiny_db, tmp_path_factory):
    require_tool("soffice")
    from indicators.db import connection
    with connection.connect(tiny_db, read_only=True) as con:
        summary = report.build_summary(con, "2026-10", settings=Settings())
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    path.write_bytes(report.render(summary, "pdf", issued=dt.date(2026, 11, 6), deadline_day=5))
    return path


def test_pdf_fonts_are_all_embedded(notice_pdf):
    out = subprocess.run([require_tool("pdffonts"), str(notice_pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    fonts = out[2:]  # after the header and the ruler
    assert fonts, out
    # columns: name type encoding emb sub uni object ID — "emb" is the 4th from the right
    embedded = [line.split()[-5] for line in fonts]
    assert set(embedded) == {"yes"}, "\n".join(out)
    assert any(re.search(r"CJK|Song|Hei|Fang|Kai|Ming|WenQuanYi|Droid", line) for line in fonts), "\n".join(out)


def test_pdf_first_page_is_the_red_header(notice_pdf):
    info = subprocess.run([require_tool("pdfinfo"), str(notice_pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    first = subprocess.run([require_tool("pdftotext"), "-f", "1", "-l", "1", "-layout", str(notice_pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", first)
    for text in ("市科技局文件", "〔2026〕号", "签发人：", "关于2026年10月测试市科技创新重点指标调度情况的通报"):
        assert text in squeezed, first
    whole = re.sub(r"\s+", "", subprocess.run([require_tool("pdftotext"), str(notice_pdf), "-"],
                                              capture_output=True, text=True, check=True).stdout)
    for heading in ("一、总体情况", "四、各区县排名", "五、报送情况", "、下一步工作要求", "2026年11月6日"):
        assert heading in whole


def test_missing_official_fonts_get_chinese_stand_ins_for_the_pdf(tiny_summary):
    import io
    import zipfile

    from indicators.report import notice, pdf
    blocks = notice.notice_blocks(tiny_summary, issued=dt.date(2026, 11, 6), deadline_day=5)
    docx = notice.to_docx(blocks)
    swapped = pdf.with_installed_fonts(docx, installed={"Noto Serif CJK SC", "Noto Sans CJK SC", "黑体"})
    xml = zipfile.ZipFile(io.BytesIO(swapped)).read("word/document.xml").decode("utf-8")
    assert '"Noto Serif CJK SC"' in xml and '"仿宋_GB2312"' not in xml and '"方正小标宋简体"' not in xml
    assert '"黑体"' in xml  # installed: kept
    assert pdf.with_installed_fonts(docx, installed=set()) == docx  # nothing to stand in with: unchanged


def test_the_pdf_draws_simplified_chinese_glyphs_not_japanese(tmp_path):
    """pdffonts names the embedded faces «NotoSerifCJKjp-…» even with the SC family named:
    the five faces of Debian's NotoSerifCJK-Regular.ttc share one CFF table (one set of
    glyphs, internally named after the JP face) and differ in their character maps and
    language forms. What a reader sees is their choice, so compare pictures: the notice's
    text as the PDF draws it must differ from the same text set in Japanese (JP face,
    ja-JP), where 直 骨 角 说 have other forms."""
    require_tool("soffice")
    pdftoppm = require_tool("pdftoppm")
    import io
    import zipfile

    from indicators.report import notice, pdf
    if "Noto Serif CJK SC" not in pdf.installed_font_families():
        pytest.skip("Noto Serif CJK SC is not installed: nothing to compare")
    ours = pdf.with_installed_fonts(notice.to_docx([notice.Block("title", "直骨角说明"),
                                                     notice.Block("para", "直骨角说明通报")]))

    def japanese(docx: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename.endswith(".xml"):
                    data = data.replace(b"CJK SC", b"CJK JP").replace(b'"zh-CN"', b'"ja-JP"')
                dst.writestr(item, data)
        return out.getvalue()

    def picture(docx: bytes, name: str) -> bytes:
        (tmp_path / f"{name}.pdf").write_bytes(pdf.convert(docx, ".docx"))
        subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True, capture_output=True)
        return next(tmp_path.glob(f"{name}-*.png")).read_bytes()

    drawn, again, jp = picture(ours, "sc"), picture(ours, "again"), picture(japanese(ours), "jp")
    assert drawn == again  # the rendering is stable, so a difference means other glyphs
    assert drawn != jp
