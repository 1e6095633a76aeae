"""A look inside an ``.xls`` (BIFF in an OLE2 compound file) before calamine parses it.

The same reasons as ``xlsx_scan``: calamine builds a sheet as one rectangle up to its
farthest cell (a 6 KB ``.xls`` with a cell at IV60000 cost 925 MB), and it gives ``''``
for a cell whose formula result is an error (``#DIV/0!``), so the error would vanish.
The scan walks the compound file's sector chains to the ``Workbook`` stream and its
records once: farthest row and column per sheet, merged ranges, error results
(BOOLERR and FORMULA records), formulas with a cached value, a password (FILEPASS).
"""

from __future__ import annotations

import struct

from indicators.errors import RejectedInput
from indicators.returns.excel.xlsx_scan import SheetScan
from indicators.returns.limits import MAX_MERGED_RANGES, Limits, clip

_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}
# BIFF record types
_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
_FORMULA, _BOOLERR, _MERGED = 0x0006, 0x0205, 0x00E5
_CELLS = {0x0203, 0x027E, 0x0204, 0x00FD, 0x0006, 0x0205, 0x0201, 0x00D6}  # row, col in the first 4 bytes
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col … last col in the last 2 bytes


class _Damaged(Exception):
    pass


def scan_xls(data: bytes, file_name: str, limits: Limits) -> dict[str, SheetScan]:
    """Per sheet name: what the records say. Raises ``RejectedInput`` on a password, a
    damaged file, or the first bound crossed."""
    try:
        stream = _workbook_stream(data, file_name)
        sheets = _sheet_offsets(stream, file_name)
        found: dict[str, SheetScan] = {}
        cells_before = 0
        for name, offset in sheets:
            scan = SheetScan(name, max_col=0)
            _scan_sheet(stream, offset, scan, limits)
            extent = scan.max_row * scan.max_col
            limits.check_rows(scan.max_row, name, file_name)
            limits.check_cells(cells_before + extent, name, file_name)
            if scan.merges > MAX_MERGED_RANGES:
                raise RejectedInput(f"文件「{file_name}」的工作表「{clip(name, 31)}」有超过 "
                                    f"{MAX_MERGED_RANGES:,} 处合并单元格：请取消不必要的合并后另存。")
            cells_before += extent
            found[name] = scan
        return found
    except (_Damaged, struct.error, IndexError, UnicodeDecodeError):
        raise RejectedInput(f"文件「{file_name}」无法打开：.xls 文件已损坏，请在 Excel 中另存为 .xlsx 后重试。") from None


# ---------------------------------------------------------------- the compound file

class _Compound:
    """The sectors and allocation table of an OLE2 compound file (what .xls is stored in)."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:4] != b"\xd0\xcf\x11\xe0":
            raise _Damaged
        shift, self.mini_shift = struct.unpack_from("<HH", data, 30)
        if not 7 <= shift <= 16 or not 2 <= self.mini_shift < shift:
            raise _Damaged
        self.data, self.size = data, 1 << shift
        self.n_sectors = (len(data) - self.size) // self.size + 1
        (n_fat, self.dir_start, _, self.mini_cutoff, self.minifat_start, _, difat_start, _) = struct.unpack_from(
            "<IIIIIIII", data, 44)
        fat = b"".join(self.sector(s) for s in self._fat_sectors(n_fat, difat_start))
        self.fat = struct.unpack(f"<{len(fat) // 4}I", fat)

    def sector(self, i: int) -> bytes:
        if i >= self.n_sectors:
            raise _Damaged
        return self.data[(i + 1) * self.size:(i + 2) * self.size]

    def _fat_sectors(self, n_fat: int, difat_start: int) -> list[int]:
        found = [s for s in struct.unpack_from("<109I", self.data, 76) if s != _FREE][:n_fat]
        nxt, hops = difat_start, 0
        while nxt not in (_END_OF_CHAIN, _FREE) and len(found) < n_fat:
            hops += 1
            if hops > self.n_sectors:
                raise _Damaged
            ids = struct.unpack(f"<{self.size // 4}I", self.sector(nxt))
            found += [s for s in ids[:-1] if s != _FREE]
            nxt = ids[-1]
        return found

    @staticmethod
    def chain(start: int, table, read) -> bytes:
        """The sectors from ``start`` on, following ``table`` (a loop is damage, not a hang)."""
        out, i, seen = [], start, 0
        while i not in (_END_OF_CHAIN, _FREE):
            seen += 1
            if seen > len(table) or i >= len(table):
                raise _Damaged
            out.append(read(i))
            i = table[i]
        return b"".join(out)

    def entries(self) -> list[tuple[str, int, int, int]]:
        """(name, type, start sector, size) of every directory entry."""
        directory = self.chain(self.dir_start, self.fat, self.sector)
        out = []
        for off in range(0, len(directory) - 127, 128):
            name_len = struct.unpack_from("<H", directory, off + 64)[0]
            name = directory[off:off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            start, length = struct.unpack_from("<II", directory, off + 116)
            out.append((name, directory[off + 66], start, length))
        return out

    def stream(self, entry, root) -> bytes:
        _, _, start, length = entry
        if length >= self.mini_cutoff:
            return self.chain(start, self.fat, self.sector)[:length]
        mini_stream = self.chain(root[2], self.fat, self.sector)
        minifat = self.chain(self.minifat_start, self.fat, self.sector)
        mini_ids = struct.unpack(f"<{len(minifat) // 4}I", minifat)
        mini = 1 << self.mini_shift
        return self.chain(start, mini_ids, lambda i: mini_stream[i * mini:(i + 1) * mini])[:length]


def _workbook_stream(data: bytes, file_name: str) -> bytes:
    cf = _Compound(data)
    entries = cf.entries()
    if any(e[0] == "EncryptedPackage" for e in entries):
        raise RejectedInput(f"文件「{file_name}」有密码保护，无法读取：请取消密码后另存为 .xlsx 再上传。")
    book = next((e for e in entries if e[0] in ("Workbook", "Book") and e[1] == 2), None)
    if book is None:
        raise RejectedInput(f"文件「{file_name}」不是 Excel 工作簿（缺少 Workbook 数据流）：请上传 .xlsx、.xls 或 .csv 文件。")
    return cf.stream(book, entries[0])


# ---------------------------------------------------------------- BIFF records

def _records(stream: bytes, pos: int):
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, pos + 4, length
        pos += 4 + length


def _sheet_offsets(stream: bytes, file_name: str) -> list[tuple[str, int]]:
    """(sheet name, offset of its BOF) of the worksheets, from the workbook globals."""
    out = []
    biff8 = True
    for kind, at, length in _records(stream, 0):
        if kind == _BOF:
            biff8 = struct.unpack_from("<H", stream, at)[0] == 0x0600
        elif kind == _FILEPASS:
            raise RejectedInput(f"文件「{file_name}」有密码保护，无法读取：请取消密码后另存为 .xlsx 再上传。")
        elif kind == _BOUNDSHEET:
            offset, _visible, sheet_type = struct.unpack_from("<IBB", stream, at)
            if sheet_type == 0:  # a worksheet (not a chart or macro sheet)
                out.append((_sheet_name(stream, at + 6, biff8), offset))
        elif kind == _EOF:
            break
    return out


def _sheet_name(stream: bytes, at: int, biff8: bool) -> str:
    n = stream[at]
    if not biff8:
        return stream[at + 1:at + 1 + n].decode("cp936", "replace")
    wide = stream[at + 1] & 0x1
    raw = stream[at + 2:at + 2 + n * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1")


_HEAD = struct.Struct("<HH")
_RECORD = struct.Struct("<HHHH")


def _scan_sheet(stream: bytes, offset: int, scan: SheetScan, limits: Limits) -> None:
    """One sheet's records (``_records`` unrolled into one loop with the counts kept in
    locals: a 60,000-row sheet has 300,000 records, and a generator step and two
    ``max`` calls per record were most of the scan's time)."""
    keep = limits.max_problems
    head = _HEAD.unpack_from
    cells_kinds, multi, formula, boolerr, merged, eof = _CELLS, _MULTI, _FORMULA, _BOOLERR, _MERGED, _EOF
    max_row, max_col, cells = scan.max_row, scan.max_col, scan.cells
    pos, end = offset, len(stream)
    record = _RECORD.unpack_from  # a record's type and length, and a cell's row and column, in one call
    try:
        while pos + 4 <= end:
            if pos + 8 <= end:
                kind, length, row, col = record(stream, pos)
            else:
                kind, length = head(stream, pos)
                row = col = None
            at = pos + 4
            pos = at + length
            if kind == eof:
                break
            if kind in cells_kinds and length >= 4:
                if row is None:
                    row, col = head(stream, at)  # past the end: struct.error, a damaged file
                last_col = col
                if kind == formula and length >= 14:
                    _formula(stream, at, row, col, scan, keep)
                elif kind == boolerr and length >= 8 and stream[at + 7]:
                    _error(scan, row, col, stream[at + 6], keep)
            elif kind in multi and length >= 6:
                last_col = head(stream, at + length - 4)[1]
            else:
                if kind == merged and length >= 2:
                    scan.merges += head(stream, at - 2)[1]
                continue
            cells += 1
            if row >= max_row:
                max_row = row + 1
            if last_col >= max_col:
                max_col = last_col + 1
    finally:
        scan.max_row, scan.max_col, scan.cells = max_row, max_col, cells


def _formula(stream: bytes, at: int, row: int, col: int, scan: SheetScan, keep: int) -> None:
    result = stream[at + 6:at + 14]
    if result[6:8] == b"\xff\xff" and result[0] == 2:  # an error result
        _error(scan, row, col, result[2], keep)
        return
    scan.cached_formulas += 1
    scan.first_cached = scan.first_cached or (row, col)


def _error(scan: SheetScan, row: int, col: int, code: int, keep: int) -> None:
    scan.errors_total += 1
    if len(scan.errors) < keep:
        scan.errors[(row, col)] = _ERROR_CODES.get(code, "#错误")
