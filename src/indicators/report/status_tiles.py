"""The status tiles of the briefing pack: how many indicators are in each status, a
count on a light card under the status's colour. The deck's overview slide and the A3
简报 draw the same tiles, each at its own size (``TileLayout``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

from indicators.report import slide_kit as kit
from indicators.theme import STATUS_COLORS, TEXT_COLOR

TILE_STATUSES = ["done", "on_track", "lagging", "far_behind", "missing", "not_due"]


@dataclass(frozen=True)
class TileLayout:
    """One tile's measures (EMU): its height, the colour stripe's, and the count's and
    the label's boxes as (offset from the tile's top, height); the count's font size."""

    height: int
    stripe: int
    count_box: tuple[int, int]
    count_size: int
    label_box: tuple[int, int]


def status_tiles(slide, left, top, width, gap, counts: Mapping[str, int], layout: TileLayout,
                 label: Callable[[str], list]) -> None:
    """A row of tiles for ``TILE_STATUSES`` across ``width``; ``label(status)`` gives the
    paragraphs under the count (``slide_kit.text_box``)."""
    tile_w = int((width - gap * (len(TILE_STATUSES) - 1)) / len(TILE_STATUSES))
    for i, status in enumerate(TILE_STATUSES):
        x = left + i * (tile_w + gap)
        kit.rect(slide, x, top, tile_w, layout.height, "#F7F8FA", line="#E5E7EB")
        kit.rect(slide, x, top, tile_w, layout.stripe, STATUS_COLORS[status])
        kit.text_box(slide, x, top + layout.count_box[0], tile_w, layout.count_box[1],
                     [(str(counts.get(status, 0)), layout.count_size,
                       {"bold": True, "color": TEXT_COLOR, "align": PP_ALIGN.CENTER})],
                     anchor=MSO_ANCHOR.MIDDLE)
        kit.text_box(slide, x, top + layout.label_box[0], tile_w, layout.label_box[1], label(status))
