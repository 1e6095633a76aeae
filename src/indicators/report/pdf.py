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
