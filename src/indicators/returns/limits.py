"""What one return file may cost to read, and the refusals when it would cost more.

A return comes from outside: a 14 MB workbook of a million rows, a sheet with one cell
at XFD1048576 (calamine would allocate the whole rectangle: 6 GB for 100,000 × 2,000), a
zip that inflates a thousandfold, a CSV of 200,000 unknown units. Every bound below is
checked *before* the expensive step it protects, so a refused file costs a few seconds
and a few hundred MB at most, and the refusal names the bound and the setting that
moves it. The values come from ``Settings`` (README「导入的上限」); the edges (CLI,
pages) build ``Limits.from_settings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indicators.errors import RejectedInput

MB = 2**20
# an unpacked workbook below this is never called a zip bomb, whatever its ratio:
# a tiny file of repeated rows compresses 100× and harms no one
BOMB_FLOOR_BYTES = 8 * MB
MAX_MERGED_RANGES = 20_000  # merged ranges per sheet (each one is a slice assignment)
MAX_SPAN = 1_000  # rows or columns one cell of a web page or an XML 电子表格 may span (not 16,000)


@dataclass(frozen=True)
class Limits:
    """Bounds on one return file (defaults as in ``Settings``)."""

    max_file_bytes: int = 20 * MB
    max_rows: int = 200_000  # per sheet
    max_cells: int = 3_000_000  # per file: the used rectangle of every sheet read, summed
    max_unpacked_bytes: int = 400 * MB  # an .xlsx's members once inflated
    unpacked_ratio: float = 100.0  # ... and at most this many times the file's size
    max_problems: int = 200  # problems listed per rule; the rest are counted
    echo_chars: int = 50  # text of a cell echoed in a message

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(max_file_bytes=int(settings.max_file_mb * MB), max_rows=int(settings.max_rows),
                   max_cells=int(settings.max_cells), max_unpacked_bytes=int(settings.max_unpacked_mb * MB),
                   max_problems=int(settings.max_problems))

    @property
    def upload_mb(self) -> int:
        """The file-size bound as the page's uploader takes it: whole MB, at least 1."""
        return max(1, -(-self.max_file_bytes // MB))

    # --- refusals (one Chinese line each, naming the setting) ---

    def check_file_size(self, size: int, file_name: str) -> None:
        if size > self.max_file_bytes:
            raise RejectedInput(f"文件「{file_name}」有 {size / MB:,.1f} MB，超过上限 {self.max_file_bytes / MB:g} MB"
                                "（设置 INDICATORS_MAX_FILE_MB）：请删去无关的工作表、图片后另存，或分成几个文件上传。")

    def check_rows(self, rows: int, sheet: str, file_name: str) -> None:
        if rows > self.max_rows:
            raise RejectedInput(f"文件「{file_name}」的工作表「{clip(sheet, 31)}」超过 {self.max_rows:,} 行"
                                "（设置 INDICATORS_MAX_ROWS）：请删去多余的行，或分成几个文件上传。")

    def check_cells(self, cells: int, sheet: str, file_name: str) -> None:
        if cells > self.max_cells:
            raise RejectedInput(f"文件「{file_name}」读到工作表「{clip(sheet, 31)}」时已超过 {self.max_cells:,} 个单元格"
                                "（设置 INDICATORS_MAX_CELLS）：表格的使用区域过大，请删除远处的空行空列"
                                "或无关的工作表后另存。")

    def check_unpacked(self, unpacked: int, packed: int, file_name: str) -> None:
        ratio_hit = unpacked > BOMB_FLOOR_BYTES and unpacked > self.unpacked_ratio * max(packed, 1)
        if unpacked > self.max_unpacked_bytes or ratio_hit:
            why = (f"是文件大小的 {unpacked / max(packed, 1):,.0f} 倍" if ratio_hit
                   else f"超过上限 {self.max_unpacked_bytes / MB:g} MB（设置 INDICATORS_MAX_UNPACKED_MB）")
            raise RejectedInput(f"文件「{file_name}」解压后有 {unpacked / MB:,.1f} MB，{why}，"
                                "疑似异常压缩文件，未读取：请在 Excel 中打开后另存为 .xlsx 再上传。")


# control characters (ESC starts a terminal's escape sequence: a unit name could clear the
# screen or retitle the window of whoever reads the message) are echoed as \x1b
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with its control characters written out (``\x1b``), tabs and newlines kept."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def clip(text, limit: int = Limits.echo_chars) -> str:
    """``text`` as echoed back to the user: control characters written out (``visible``),
    at most ``limit`` characters, then "…（共 n 字）"."""
    s = visible("" if text is None else str(text))
    if len(s) <= limit:
        return s
    return f"{s[:limit]}…（共 {len(s):,} 字）"
