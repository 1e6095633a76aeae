"""Render the deck with LibreOffice (soffice → PDF → pdftoppm → PNG): every slide
renders, at 16:9, with Chinese text extracted intact. In CI the tools must exist."""

from __future__ import annotations

import subprocess
from datetime import date

from needs import require_tool
from PIL import Image

from indicators.report.pptx_deck import build_deck


def test_deck_renders_to_png(tiny_summary, tmp_path):
    soffice = require_tool("soffice")
    pdftoppm = require_tool("pdftoppm")
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(build_deck(tiny_summary, issued=date(2026, 11, 23)))
    profile = (tmp_path / "lo").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(deck)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "deck.pdf"
    assert pdf.exists(), "LibreOffice did not write a PDF (is the Impress component installed?)"
    subprocess.run([pdftoppm, "-png", "-r", "40", str(pdf), str(tmp_path / "s")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("s-*.png"))
    from pptx import Presentation
    assert len(pngs) == len(Presentation(deck).slides)
    for png in pngs:
        w, h = Image.open(png).size
        assert abs(w / h - 16 / 9) < 0.01
    text = subprocess.run([require_tool("pdftotext"), "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                          text=True).stdout.replace(" ", "")
    assert "总体情况：3项重点指标，1项达到序时进度，2项滞后" in text
