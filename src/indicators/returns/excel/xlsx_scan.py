"""A look inside an ``.xlsx`` before calamine parses it: bounds, formulas, error cells.

calamine builds each sheet as one rectangle from A1 to the farthest cell, so a 10 KB
file with a cell at XFD1048576 asks for 17 billion cells, and it aborts the process
instead of raising. It also refuses XML with an entity declaration only by raising
``XmlError`` from deep inside. So every member calamine would read is inflated here
first, 64 KiB at a time (nothing is kept but counts), and the file is refused with one
line at the first bound it crosses:

- the zip's declared unpacked size against the file size and a ceiling (zip bomb),
  then the bytes actually inflated against the same ceiling (a zip can lie);
- rows per sheet, cells (``<c>`` elements, summed over the file), the used rectangle
  (farthest row × farthest column), merged ranges;
- a DOCTYPE or entity declaration in any part.

On the way it notes what calamine cannot tell: cells whose formula result is an error
(``t="e"``: calamine gives ``''``), formulas with no cached result (calamine gives ``''``),
and how many formulas carry a cached value; and the number cells formatted as a
percentage (Excel's 12.3% cell holds 0.123, and calamine gives 0.123). Rows and columns
are 0-based in the result.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree import ElementTree

from indicators.errors import RejectedInput
from indicators.returns.limits import MAX_MERGED_RANGES, Limits, clip

_CHUNK = 1 << 16
_MAX_TAIL = 1 << 20  # a cell longer than this (a giant text) is scanned without its boundaries
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCTYPE_MARKS = (b"<!DOCTYPE", b"<!ENTITY")  # XML spells them so, or not at all
_ERROR_MARK = b't="e"'
_FORMULA = re.compile(rb"<f[ >/]")
_WIDE = re.compile(rb'r="([A-Z]{2,3})\d')  # a column past Z: the rectangle may be wide
_REF = re.compile(rb'r="([A-Z]{0,3})(\d+)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA_TEXT = re.compile(rb"<f[^>]*>([^<]*)</f>")
_CELL_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')
NARROW_COLUMNS = 26  # without a two-letter column reference the widest column is Z
_CLASSES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)


@dataclass
class SheetScan:
    """What the scan saw in one sheet (addresses 0-based ``(row, column)``)."""

    name: str
    rows: int = 0
    cells: int = 0
    max_col: int = NARROW_COLUMNS  # 1-based upper bound
    max_row: int = 0  # 1-based, exact only when ``max_col`` > 26 (else calamine's extent is checked)
    merges: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # t="e" cells, first few
    errors_total: int = 0
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)  # formula text, first few
    uncached_total: int = 0
    cached_formulas: int = 0
    first_cached: tuple[int, int] | None = None
    percent: set[tuple[int, int]] = field(default_factory=set)  # number cells shown as a percentage


def scan_xlsx(data: bytes, file_name: str, limits: Limits) -> dict[str, SheetScan]:
    """Scan every part calamine reads; raise ``RejectedInput`` at the first bound crossed."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise RejectedInput(f"文件「{file_name}」无法打开：不是完整的 .xlsx 文件（可能已损坏或未下载完），"
                            "请在 Excel 中另存为 .xlsx 后重试。") from None
    limits.check_unpacked(sum(i.file_size for i in infos), len(data), file_name)
    names = {i.filename for i in infos}
    _check_kind(names, infos, file_name)
    budget = _Budget(limits, len(data), file_name)
    sheets = _sheet_parts(z, names, budget, file_name)
    percent_styles = _percent_styles(z, names, budget, file_name)
    found: dict[str, SheetScan] = {}
    cells_total = 0
    for sheet_name, part in sheets:
        scan = SheetScan(sheet_name)
        _scan_sheet(z, part, scan, budget, limits, file_name, cells_before=cells_total, percent_styles=percent_styles)
        cells_total += scan.cells
        found[sheet_name] = scan
    for info in infos:  # the other XML parts calamine reads (shared strings …)
        if info.filename.startswith("xl/") and info.filename.endswith((".xml", ".rels")) \
                and info.filename not in {p for _, p in sheets} and info.filename != _STYLES:
            _drain(z, info.filename, budget, file_name)
    return found


class _Budget:
    """Bytes actually inflated, against the same ceiling as the declared sizes."""

    def __init__(self, limits: Limits, packed: int, file_name: str):
        self.limits, self.packed, self.file_name, self.used = limits, packed, file_name, 0

    def take(self, n: int) -> None:
        self.used += n
        self.limits.check_unpacked(self.used, self.packed, self.file_name)


def _check_kind(names: set[str], infos, file_name: str) -> None:
    if any(i.flag_bits & 0x1 for i in infos):
        raise RejectedInput(f"文件「{file_name}」有密码保护，无法读取：请取消密码后另存为 .xlsx 再上传。")
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise RejectedInput(f"文件「{file_name}」是 .xlsb（二进制工作簿），不支持：请在 Excel 中另存为 .xlsx 后上传。")
    if "content.xml" in names:
        raise RejectedInput(f"文件「{file_name}」是 OpenDocument 表格（.ods），不支持：请另存为 .xlsx 后上传。")
    raise RejectedInput(f"文件「{file_name}」是 zip 压缩包而不是 Excel 工作簿：请上传 .xlsx、.xls 或 .csv 文件。")


def _small_part(z: zipfile.ZipFile, name: str, budget: _Budget, file_name: str) -> bytes:
    chunks = []
    with z.open(name) as f:
        while piece := f.read(_CHUNK):
            budget.take(len(piece))
            if not chunks:
                _refuse_doctype(piece, name, file_name)
            chunks.append(piece)
    return b"".join(chunks)


def _sheet_parts(z: zipfile.ZipFile, names: set[str], budget: _Budget, file_name: str) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    try:
        book = ElementTree.fromstring(_small_part(z, "xl/workbook.xml", budget, file_name))
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = ElementTree.fromstring(_small_part(z, rels_name, budget, file_name)) if rels_name in names else []
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise RejectedInput(f"文件「{file_name}」的工作簿结构已损坏（{clip(exc, 60)}）："
                            "请在 Excel 中打开后另存为 .xlsx 再上传。") from None
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    out = []
    for sh in book.iterfind(f"{{{_MAIN_NS}}}sheets/{{{_MAIN_NS}}}sheet"):
        target = targets.get(sh.get(f"{{{_REL_NS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in names:
            out.append((sh.get("name") or "", part))
    return out


def _refuse_doctype(head: bytes, part: str, file_name: str) -> None:
    if any(mark in head[:4096] for mark in DOCTYPE_MARKS):
        raise RejectedInput(f"文件「{file_name}」的 {part} 含 DOCTYPE/实体声明（正常的 Excel 文件没有），"
                            "出于安全原因未读取：请在 Excel 中打开后另存为 .xlsx 再上传。")


def _drain(z: zipfile.ZipFile, part: str, budget: _Budget, file_name: str) -> None:
    try:
        with z.open(part) as f:
            first = True
            while piece := f.read(_CHUNK):
                if first:
                    _refuse_doctype(piece, part, file_name)
                    first = False
                budget.take(len(piece))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise RejectedInput(f"文件「{file_name}」的 {part} 已损坏，无法解压：请在 Excel 中另存为 .xlsx 后重试。") from None


def _pieces(z: zipfile.ZipFile, part: str, budget: _Budget, file_name: str):
    """The part's XML in pieces that end just before a cell or row starts, so that no
    cell is split between two pieces (a cell larger than 1 MiB is the exception)."""
    tail = b""
    first = True
    try:
        with z.open(part) as f:
            while piece := f.read(_CHUNK):
                budget.take(len(piece))
                if first:
                    _refuse_doctype(piece, part, file_name)
                    first = False
                buf = tail + piece if tail else piece
                cut = max(buf.rfind(b"<c "), buf.rfind(b"<row"))
                if cut <= 0:
                    cut = len(buf) if len(buf) > _MAX_TAIL else 0
                if cut:
                    yield buf[:cut]
                    tail = buf[cut:]
                else:
                    tail = buf
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise RejectedInput(f"文件「{file_name}」的 {part} 已损坏，无法解压：请在 Excel 中另存为 .xlsx 后重试。") from None
    if tail:
        yield tail


def _scan_sheet(z, part: str, scan: SheetScan, budget: _Budget, limits: Limits, file_name: str,
                cells_before: int, percent_styles: _Styled | None = None) -> None:
    too_far = _beyond(limits.max_rows)
    rare = _rare_refs(too_far)
    far_digits = b"0" * len(str(max(limits.max_rows, 1))) + b'"'  # what a reference too_far matches has
    for chunk in _pieces(z, part, budget, file_name):
        scan.rows += chunk.count(b"<row")  # <row …> (and a <rowBreaks>: close enough for a bound)
        scan.cells += chunk.count(b"<c ")
        scan.merges += chunk.count(b"<mergeCell ")
        limits.check_rows(scan.rows, scan.name, file_name)
        limits.check_cells(cells_before + scan.cells, scan.name, file_name)
        if scan.merges > MAX_MERGED_RANGES:
            raise RejectedInput(f"文件「{file_name}」的工作表「{clip(scan.name, 31)}」有超过 "
                                f"{MAX_MERGED_RANGES:,} 处合并单元格：请取消不必要的合并后另存。")
        # one pass finds the references either pattern matches (none in a narrow sheet of
        # fewer rows than the bound); each is then looked at with both, as before. A piece
        # with neither a two-letter reference nor a run of as many digits as the bound
        # before a quote holds no such reference: told apart by two finds in its letters
        # and digits flattened to A and 0, about half the cost of the pass
        shape = chunk.translate(_CLASSES)
        hits = [m.start() for m in rare.finditer(chunk)] if b'r="AA' in shape or far_digits in shape else []
        for at in hits:
            far = too_far.match(chunk, at)
            if far is not None and int(far.group(1)) > limits.max_rows:
                limits.check_rows(int(far.group(1)), scan.name, file_name)
        for at in hits:
            wide = _WIDE.match(chunk, at)
            if wide is not None:
                scan.max_col = max(scan.max_col, _column_number(wide.group(1)))
        if _ERROR_MARK in chunk:
            _error_cells(chunk, scan, limits.max_problems)
        if _FORMULA.search(chunk):
            _formula_cells(chunk, scan, limits.max_problems)
        if percent_styles is not None:
            _percent_cells(chunk, scan, percent_styles)
    if scan.max_col > NARROW_COLUMNS:  # a wide sheet: the rectangle needs the farthest row, exactly
        for chunk in _pieces(z, part, _Budget(limits, 1 << 40, file_name), file_name):
            for m in _REF.finditer(chunk):
                scan.max_row = max(scan.max_row, int(m.group(2)))
        limits.check_cells(cells_before + scan.max_row * scan.max_col, scan.name, file_name)


def _beyond(limit: int) -> re.Pattern:
    """A reference whose row number may exceed ``limit``: more digits, or as many digits
    and a leading digit at least ``limit``'s (the rare candidates are then compared)."""
    digits = str(max(limit, 1))
    lead = digits[0]
    return re.compile(rb'r="[A-Z]{0,3}(\d{%d,}|[%s-9]\d{%d})"' % (len(digits) + 1, lead.encode(), len(digits) - 1))


def _rare_refs(too_far: re.Pattern) -> re.Pattern:
    """A reference that ``too_far`` or ``_WIDE`` matches, in one pattern: a scan over every
    ``r="`` costs about the same for one pattern as for each (≈ 20 ms of a 100k-row sheet
    saved). Both start with ``r="`` and span only letters, digits and a quote, so their
    matches never overlap another reference: the positions found are exactly theirs."""
    far = too_far.pattern[len(b'r="[A-Z]{0,3}('):-len(b')"')]
    return re.compile(rb'r="(?:[A-Z]{2,3}\d|[A-Z]{0,3}+(?:' + far + rb')")')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _cell_at(chunk: bytes, pos: int) -> tuple[bytes, tuple[int, int] | None]:
    start = chunk.rfind(b"<c ", 0, pos)
    end = chunk.find(b"</c>", pos)
    cell = chunk[start:end if end != -1 else len(chunk)]
    ref = _CELL_REF.search(cell)
    if start == -1 or ref is None:
        return cell, None
    return cell, (int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1)


def _error_cells(chunk: bytes, scan: SheetScan, keep: int) -> None:
    pos = chunk.find(_ERROR_MARK)
    while pos != -1:
        cell, at = _cell_at(chunk, pos)
        if at is not None:
            scan.errors_total += 1
            if len(scan.errors) < keep:
                val = _VALUE.search(cell)
                scan.errors[at] = val.group(1).decode("utf-8", "replace") if val else "#错误"
        pos = chunk.find(_ERROR_MARK, pos + len(_ERROR_MARK))


def _formula_cells(chunk: bytes, scan: SheetScan, keep: int) -> None:
    for m in _FORMULA.finditer(chunk):
        cell, at = _cell_at(chunk, m.start())
        if at is None or _ERROR_MARK in cell:  # an error result is reported as such
            continue
        value = _VALUE.search(cell)
        kind = _CELL_TYPE.search(cell)
        if value is not None and (value.group(1) or (kind is not None and kind.group(1) == b"str")):
            scan.cached_formulas += 1
            scan.first_cached = scan.first_cached or at
            continue
        scan.uncached_total += 1
        if len(scan.uncached) < keep:
            text = _FORMULA_TEXT.search(cell)
            formula = text.group(1).decode("utf-8", "replace") if text else ""
            scan.uncached[at] = "=" + _unescape(formula) if formula else "（共享公式）"


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


_STYLES = "xl/styles.xml"
_PERCENT_FORMATS = {9, 10}  # Excel's built-in 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # literal text, [colour]/[condition] and \x in a format code


@dataclass
class _Styled:
    tag: re.Pattern  # a cell's opening tag with one of (or any) style ids, the id as group 1
    ids: set[bytes]


def _percent_styles(z: zipfile.ZipFile, names: set[str], budget: _Budget, file_name: str) -> _Styled | None:
    """The styles that show a number as a percentage (``s="3"`` where cellXfs' 4th entry
    has format 9, 10 or a code with a % outside quotes), or None when no style does (most
    files: nothing more to look at)."""
    if _STYLES not in names:
        return None
    try:
        root = ElementTree.fromstring(_small_part(z, _STYLES, budget, file_name))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None  # calamine reads what it can; the format is only a hint here
    ns = {"m": _MAIN_NS}
    percent = set(_PERCENT_FORMATS)
    for fmt in root.iterfind("m:numFmts/m:numFmt", ns):
        if "%" in _QUOTED.sub("", fmt.get("formatCode", "")):
            percent.add(_number(fmt.get("numFmtId")))
    ids = [str(i) for i, xf in enumerate(root.iterfind("m:cellXfs/m:xf", ns)) if _number(xf.get("numFmtId")) in percent]
    if not ids:
        return None
    # a few styles (the usual case) as alternatives; a hostile file's thousands as any style
    which = "|".join(ids).encode() if len(ids) <= 64 else rb"\d+"
    return _Styled(re.compile(rb'<c\b[^>]*?\ss="(' + which + rb')"[^>]*>'), {i.encode() for i in ids})


def _number(text) -> int:
    """A style's format id (−1 for anything a hostile file may put there)."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


def _percent_cells(chunk: bytes, scan: SheetScan, styled: _Styled) -> None:
    """Note the number cells (no type, or ``t="n"``) of a percentage style in ``chunk``."""
    for m in styled.tag.finditer(chunk):
        if m.group(1) not in styled.ids:
            continue
        tag = m.group(0)
        kind = _CELL_TYPE.search(tag)
        ref = _CELL_REF.search(tag)
        if ref is not None and (kind is None or kind.group(1) == b"n"):
            scan.percent.add((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1))
