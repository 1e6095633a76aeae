"""PDF through LibreOffice: ``soffice --headless --convert-to pdf`` in a temp directory.

The one way this product makes a PDF (issue 16 builds the 红头 notice on it). Each
conversion gets its own LibreOffice profile directory: two processes converting at the
same time (two ``send due`` runs) would otherwise share ``~/.config/libreoffice`` and one
of them fail or hang. Without LibreOffice the error is one Chinese line.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from indicators.errors import IndicatorsError

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_S = 180


class PdfUnavailable(IndicatorsError):
    """LibreOffice is missing or failed: no PDF on this machine."""


def find_soffice() -> str | None:
    """``soffice`` (or ``libreoffice``) on PATH."""
    for name in SOFFICE_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def convert(data: bytes, suffix: str) -> bytes:
    """A document's bytes (``suffix`` ``.docx``, ``.pptx``, …) converted to PDF bytes."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable("本机未安装 LibreOffice（soffice），无法生成 PDF。"
                             "请安装 libreoffice-writer-nogui（或 libreoffice），使 soffice 在 PATH 中。")
    with tempfile.TemporaryDirectory(prefix="indicators-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(folder / "out"), str(source)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 超过 {TIMEOUT_S} 秒未完成，已放弃。") from None
        out = folder / "out" / "document.pdf"
        if done.returncode != 0 or not out.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise PdfUnavailable("LibreOffice 未能生成 PDF" + (f"：{detail[-1]}" if detail else "。"))
        return out.read_bytes()


# The official document fonts and the Simplified-Chinese faces that stand in for them when
# this machine lacks them. Left to itself LibreOffice substitutes the first CJK face it
# finds — on Debian the Japanese one, whose glyphs differ from the Chinese forms. (pdffonts
# still names the embedded font «NotoSerifCJKjp-…»: the faces of Debian's Noto CJK .ttc
# share one CFF table, named after its first, JP, face, and differ only in their character
# maps — the SC map picks the SC glyphs; tests/report/test_notice_pdf.py compares the pictures.)
STAND_INS = {"仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "方正小标宋简体": "Noto Serif CJK SC",
             "黑体": "Noto Sans CJK SC", "宋体": "Noto Serif CJK SC"}


def installed_font_families() -> set[str]:
    """Font families fontconfig knows (empty without fc-list: nothing is substituted)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return set()
    done = subprocess.run([fc, ":", "family"], capture_output=True, text=True, timeout=30, check=False)
    return {name.strip() for line in done.stdout.splitlines() for name in line.split(",")}


def with_installed_fonts(docx: bytes, installed: set[str] | None = None) -> bytes:
    """``docx`` with each official font this machine lacks named as its installed
    Simplified-Chinese stand-in, so the PDF embeds Chinese glyphs (the .docx for editing
    keeps the official names)."""
    import io
    import zipfile
    installed = installed_font_families() if installed is None else installed
    swap = {old: new for old, new in STAND_INS.items() if old not in installed and new in installed}
    if not swap:
        return docx
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                for old, new in swap.items():
                    text = text.replace(f'"{old}"', f'"{new}"')
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()
