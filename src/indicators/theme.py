"""One visual theme for pages, exported charts and slides (no streamlit here).

Status colours follow the Okabe–Ito colour-blind-safe palette and are always shown
together with their text label, never as colour alone.
"""

from __future__ import annotations

from indicators.rules.progress import STATUS_LABELS, STATUSES

# Noto Sans CJK SC first: without it Chromium draws Chinese with Japanese glyph shapes.
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
PPT_FONT = "Microsoft YaHei"
PPT_FONT_FALLBACK = "Noto Sans CJK SC"

STATUS_ORDER = list(STATUSES)  # best first, as the rule lists them
STATUS_COLORS = {
    "done": "#0072B2",        # blue
    "on_track": "#009E73",    # bluish green
    "lagging": "#E69F00",     # orange
    "far_behind": "#D55E00",  # vermillion
    "missing": "#7F7F7F",     # grey
    "not_due": "#C7C7C7",     # light grey
    "no_target": "#DDDDDD",
}
# symbols that travel with the colour (tables, text exports)
STATUS_MARKS = {
    "done": "✔", "on_track": "●", "lagging": "▲", "far_behind": "▼",
    "missing": "✕", "not_due": "○", "no_target": "–",
}
TEXT_COLOR = "#1F2933"
MUTED_COLOR = "#6B7280"
EXPECTED_LINE_COLOR = "#444444"
PRIMARY = "#0B4F8A"
SERIES_COLORS = ["#0B4F8A", "#9AA5B1", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]


# statuses whose colour is light enough for dark text on it (every other takes white)
LIGHT_STATUSES = frozenset({"lagging", "not_due", "no_target"})


def status_text_color(status: str) -> str:
    """The text colour on a status's fill: slides, workbook cells (pages: ``badge light``)."""
    return TEXT_COLOR if status in LIGHT_STATUSES else "#FFFFFF"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def status_badge(status: str) -> str:
    """``'▲ 滞后'`` — the mark and the label together."""
    return f"{STATUS_MARKS.get(status, '')} {status_label(status)}".strip()


# Key tasks (重点任务): the same palette; a task past its node or deadline (逾期) takes the
# far-behind colour, a task its department calls 滞后 the lagging one.
TASK_STATUS_COLORS = {"done": STATUS_COLORS["done"], "on_track": STATUS_COLORS["on_track"],
                      "lagging": STATUS_COLORS["lagging"], "overdue": STATUS_COLORS["far_behind"],
                      "not_started": STATUS_COLORS["not_due"], "missing": STATUS_COLORS["missing"]}
TASK_STATUS_MARKS = {"done": "✔", "on_track": "●", "lagging": "▲", "overdue": "▼", "not_started": "○",
                     "missing": "✕"}


LIGHT_TASK_TONES = frozenset({"lagging", "not_started"})


def task_text_color(tone: str) -> str:
    """The text colour on a task tone's fill (``TASK_STATUS_COLORS``)."""
    return TEXT_COLOR if tone in LIGHT_TASK_TONES else "#FFFFFF"


def task_tone(status: str, overdue: bool) -> str:
    """The key of ``TASK_STATUS_COLORS`` for a task: 'overdue' when the rule set 滞后."""
    return "overdue" if overdue else status


def task_badge(status: str, overdue: bool) -> str:
    """``'▼ 滞后（逾期）'`` — mark and label together, never colour alone."""
    from indicators.rules.task_status import STATUS_LABELS as TASK_LABELS
    tone = task_tone(status, overdue)
    return f"{TASK_STATUS_MARKS.get(tone, '')} {TASK_LABELS.get(status, status)}{'（逾期）' if overdue else ''}"
