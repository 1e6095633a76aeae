"""Reading a monthly work plan (重点工作安排) into items with their section.

Bureaus publish the plan as a web page or a Word file shaped like::

    市科技局2022年3月份重点工作安排
    一、重要活动
    1.3月初左右视情召开……；
    2.视情召开……
    高企培育                      ← a section whose number was lost
    2022年度高企申报项目源摸排……   ← a section of one unnumbered item
    、其他工作                    ← the numeral lost, the 、 kept

What is read (full-width digits and punctuation are the same as half-width):

- a **section heading** is a Chinese numeral with 、 or . (``一、重要活动``), a bare ``、``
  heading, or — between numbered headings only, so a page's breadcrumbs and footers are
  not taken for one — a short line without sentence punctuation (``高企培育``);
- an **item** starts with ``1.`` ``1、`` ``1)`` ``(1)``; in a text file a line that starts
  neither a heading nor an item continues the line above it (an item that wrapped); a
  blank line ends a paragraph;
- a section with no numbered item takes each of its paragraphs as one item;
- a section repeated with the same items (web pages often print the plan twice) is read
  once; every paragraph that is not used is listed in ``skipped`` with the reason, so
  the admin sees what the reader left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from indicators.errors import RejectedInput

_NUMERAL_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.]\s*(.+)$")
_LOST_NUMERAL_HEADING = re.compile(r"^[、.]\s*(\S.{0,30})$")
_ITEM = re.compile(r"^(?:\((\d{1,2})\)|(\d{1,2})\s*[.、)])\s*(.+)$")
_SENTENCE_MARKS = re.compile(r"[。；;，,：:！？!?、]")
_TITLE_PERIOD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
SHORT_HEADING = 16  # an unnumbered heading is at most this many characters
# Full-width ASCII forms (１ ． （ …) and the ideographic space, one character for one,
# so a match on the translated line has the same positions in the original text.
_HALF_WIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


@dataclass(frozen=True)
class PlanItem:
    section: str  # the section's name without its numeral: 重要活动
    number: int | None  # the item's number in its section; None for an unnumbered item
    text: str  # trailing ；。 removed
    line: int  # 1-based paragraph number in the source, for the preview


@dataclass
class PlanReading:
    title: str | None
    period_hint: str | None  # 'YYYY-MM' read from the title, when it names one
    items: list[PlanItem] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, why)

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(i.section for i in self.items))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.items:
            out[i.section] = out.get(i.section, 0) + 1
        return out


def read_plan(data: bytes, file_name: str = "") -> PlanReading:
    """Read a plan from a .docx or a text file (UTF-8, GBK or UTF-16 with its BOM)."""
    if data[:4] == b"PK\x03\x04":
        return parse_paragraphs(list(enumerate(_docx_paragraphs(data, file_name), start=1)))
    return parse_text(_decode(data, file_name))


def parse_text(text: str) -> PlanReading:
    return parse_paragraphs(_text_paragraphs(text))


def _decode(data: bytes, file_name: str) -> str:
    from indicators.returns.excel.sources import decoded
    text = decoded(data)
    if text is None:
        raise RejectedInput(f"无法读取「{file_name or '上传文件'}」：请上传 .docx 或 UTF-8、GBK、Unicode（UTF-16）编码的文本文件。")
    return text


def _docx_paragraphs(data: bytes, file_name: str) -> list[str]:
    import docx  # python-docx
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise RejectedInput(f"无法打开 Word 文件「{file_name or '上传文件'}」：文件可能已损坏或并非 .docx（旧版 .doc 请用 Word 另存为 .docx）。") from None
    # a soft line break inside a paragraph is a wrapped line, not a new paragraph
    return [p.text.replace("\n", "") for p in document.paragraphs]


def _half(line: str) -> str:
    """The line as the patterns see it (full-width forms as half-width)."""
    return line.translate(_HALF_WIDTH)


def _starts_block(line: str) -> bool:
    h = _half(line)
    return bool(_NUMERAL_HEADING.match(h) or _LOST_NUMERAL_HEADING.match(h) or _ITEM.match(h))


def _text_paragraphs(text: str) -> list[tuple[int, str]]:
    """(line number, paragraph) of a text file: blank lines separate paragraphs; a line
    that starts no heading or item is joined to the one above (a wrapped item)."""
    paragraphs: list[tuple[int, str]] = []
    open_paragraph = False
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().strip("\u3000")
        if not line:
            open_paragraph = False
            continue
        if open_paragraph and not _starts_block(line):
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + line)
        else:
            paragraphs.append((n, line))
        open_paragraph = True
    return paragraphs


def _clean(text: str) -> str:
    return text.strip().rstrip(";；。，,").strip()


@dataclass
class _Section:
    name: str
    line: int
    items: list[PlanItem] = field(default_factory=list)
    numbered: bool = False


def parse_paragraphs(paragraphs: list[tuple[int, str]]) -> PlanReading:
    """The plan in ``paragraphs``: (line or paragraph number, text), in order."""
    lines = [(n, p.strip().strip("\u3000")) for n, p in paragraphs if p.strip().strip("\u3000")]
    heading_at = [i for i, (_, p) in enumerate(lines) if _heading_name(p)]
    last_numbered = heading_at[-1] if heading_at else -1
    first_numbered = heading_at[0] if heading_at else len(lines)
    reading = PlanReading(title=None, period_hint=None)
    sections: list[_Section] = []
    for i, (n, p) in enumerate(lines):
        name = _heading_name(p) or (_short_heading(p) if first_numbered < i < last_numbered else None)
        if name:
            sections.append(_Section(name, n))
        elif not sections:
            _preamble(reading, n, p)
        else:
            _add_to_section(reading, sections[-1], n, p)
    _keep_once(reading, sections)
    return reading


def _heading_name(p: str) -> str | None:
    h = _half(p)
    m = _NUMERAL_HEADING.match(h) or _LOST_NUMERAL_HEADING.match(h)
    return _clean(p[m.start(m.lastindex):]) if m else None


def _short_heading(p: str) -> str | None:
    h = _half(p)
    if len(h) <= SHORT_HEADING and not _SENTENCE_MARKS.search(h) and not h[0].isdigit():
        return p
    return None


def _preamble(reading: PlanReading, n: int, p: str) -> None:
    if reading.title is None and re.search(r"工作(安排|计划|要点)", p):
        reading.title = p
        m = _TITLE_PERIOD.search(_half(p))
        if m and 1 <= int(m.group(2)) <= 12:
            reading.period_hint = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        return
    reading.skipped.append((n, p, "标题之前的文字"))


def _add_to_section(reading: PlanReading, section: _Section, n: int, p: str) -> None:
    m = _ITEM.match(_half(p))
    if m:
        number = int(m.group(1) or m.group(2))
        section.items.append(PlanItem(section.name, number, _clean(p[m.start(3):]), n))
        section.numbered = True
    elif not section.numbered:
        section.items.append(PlanItem(section.name, None, _clean(p), n))
    else:
        reading.skipped.append((n, p, f"「{section.name}」编号条目之后的未编号文字"))


def _keep_once(reading: PlanReading, sections: list[_Section]) -> None:
    seen: dict[str, list[str]] = {}
    for s in sections:
        texts = [i.text for i in s.items]
        if not texts:
            reading.skipped.append((s.line, s.name, "没有条目的标题"))
        elif seen.get(s.name) == texts:
            reading.skipped.append((s.line, s.name, f"重复的「{s.name}」（{len(texts)}项），只取一次"))
        else:
            seen[s.name] = texts
            reading.items.extend(s.items)
    reading.skipped.sort()
