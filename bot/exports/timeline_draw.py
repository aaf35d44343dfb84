"""Drawing the timeline picture with matplotlib's Agg backend: the layout (lanes measured
with the renderer's own text extents) and the PNG.

Only the drawing worker (bot/exports/painter.py) and one-shot shell commands import this
module: matplotlib and numpy (about 57 MiB) never load into the running server.

Layout guarantees (tests/bot/exports/test_timeline.py checks them on the drawn figure):
- 12 in wide at 200 dpi: 2,400 px, i.e. 1,200 px at a phone's 2x density; no text under
  9 pt (25 px, 12.5 px at 2x);
- the Okabe-Ito palette, and every colour also said in words (status under each name,
  "overdue" and "contested" in the labels), so it reads without telling colours apart;
- items that would touch (a bar with its label, a marker with its label) go to separate
  lanes of their developer's row, measured with the renderer's own text extents, so
  nothing overlaps when several items share a day; past MAX_LANES a row says "+N more";
- a label is cut (with "…") only where it would not fit in the plot's width, never to a
  fixed number of characters;
- the legend lists only what the picture draws.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot import domain
from bot.exports.timeline_rows import Timeline, TimelineItem, TimelineRow, day_label, range_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_LANES = 3  # lanes per row before "+N more"

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
STATUS_COLOURS = {
    "signed": "#009E73",
    "negotiating": "#E69F00",
    "holdout": "#D55E00",
    "declined": "#CC79A7",
    "unknown": "#999999",
}
WINDOW_COLOUR = "#0072B2"
OVERDUE_COLOUR = "#D55E00"
RELEASE_COLOUR = "#56B4E9"
EVENT_COLOUR = "#CC79A7"
INK = "#000000"

WIDTH_IN = 12.0
DPI = 200
LEFT_IN = 2.5  # row names
RIGHT_IN = 0.35
TOP_IN = 1.35  # title, "Today" and the date axis
LANE_IN = 0.36
ROW_PAD_IN = 0.14
MIN_ROW_IN = 0.56  # room for a name and its status under it
GAP_IN = 0.12  # clear space between two items in one lane
TEXT_PT = 9.5
NAME_PT = 11.0
TITLE_PT = 14.0


@dataclass
class _Placed:
    item: TimelineItem
    lane: int
    label_x: float  # inches from the plot's left edge
    align: str  # "left" or "right"
    text: str = ""  # the label as drawn: cut to fit the plot when it must be


def _is_bar(item: TimelineItem) -> bool:
    """A window, or an event known only to its month or year: drawn across its days."""
    return item.kind == "window" or (item.kind == "event" and item.end != item.start)


class _Layout:
    """Inches on the plot for days, and text widths from the renderer that will draw them."""

    def __init__(self, timeline: Timeline, renderer: Any) -> None:
        from matplotlib.font_manager import FontProperties

        self.first = timeline.first
        self.span = (timeline.last - timeline.first).days + 1
        self.plot_w = WIDTH_IN - LEFT_IN - RIGHT_IN
        self.measure = renderer.get_text_width_height_descent  # (text, prop, ismath) -> (w, h, d) px
        self.prop = FontProperties(size=TEXT_PT)
        self._advance: dict[str, float] = {}

    def x(self, day: date, *, end: bool = False) -> float:
        """Inches from the left edge: a day runs from its start to the next day's."""
        offset = (day - self.first).days + (1.0 if end else 0.0)
        return min(max(offset, 0.0), float(self.span)) * self.plot_w / self.span

    def text_width(self, text: str) -> float:
        """Inches: the sum of each character's measured width, plus a margin for hinting.
        Measuring each label whole costs about 2 ms, measuring characters once a few µs;
        kerning moves a label's width by a few per cent at most, which the margin covers."""
        total = 0.0
        for char in text:
            width = self._advance.get(char)
            if width is None:
                # Between two letters, so a space or an edge bearing counts as it will be drawn.
                pair, _, _ = self.measure(f"x{char}x", self.prop, ismath=False)
                xx, _, _ = self.measure("xx", self.prop, ismath=False)
                width = self._advance[char] = max(float(pair - xx), 0.0) / DPI
            total += width
        return total * 1.04 + 0.02

    def fit(self, text: str, room: float) -> str:
        """`text`, or as much of it as fits in `room` inches followed by "…"."""
        if self.text_width(text) <= room:
            return text
        while len(text) > 1 and self.text_width(text + "…") > room:
            text = text[:-1]
        return text.rstrip() + "…"

    def place(self, row: TimelineRow) -> tuple[list[_Placed], int, int]:
        """Items in lanes so no two extents (mark plus label) touch; (placed, lanes, left out)."""
        lane_ends: list[float] = []
        placed: list[_Placed] = []
        hidden = 0
        point_pad = 0.09  # the marker's half width plus a little
        for item in sorted(row.items, key=lambda i: (i.start, i.end, i.label)):
            if _is_bar(item):
                left, right = self.x(item.start), self.x(item.end, end=True)
                label_left = left
            else:
                centre = (self.x(item.start) + self.x(item.start, end=True)) / 2
                left, right = centre - point_pad, centre + point_pad
                label_left = right + 0.03
            text = self.fit(item.label, self.plot_w)
            width = self.text_width(text)
            align = "left"
            if label_left + width > self.plot_w:  # would run off the right: end at the mark
                align, label_left = "right", (left if not _is_bar(item) else right) - 0.03
                label_left = max(label_left, width)
                extent = (min(left, label_left - width), max(right, label_left))
            else:
                extent = (left, max(right, label_left + width))
            lane = next((n for n, end in enumerate(lane_ends) if end + GAP_IN <= extent[0]), None)
            if lane is None and len(lane_ends) < MAX_LANES:
                lane_ends.append(float("-inf"))
                lane = len(lane_ends) - 1
            if lane is None:
                hidden += 1
                continue
            lane_ends[lane] = extent[1]
            placed.append(_Placed(item, lane, label_left, align, text))
        return placed, max(1, len(lane_ends)), hidden


def _row_height(lanes: int) -> float:
    return max(MIN_ROW_IN, lanes * LANE_IN + ROW_PAD_IN)


def draw_timeline(timeline: Timeline) -> Figure:
    """The picture as a matplotlib Figure (Agg canvas); `timeline_png` saves it."""
    from bot.ops import allow_optional_library

    allow_optional_library("numpy")  # matplotlib needs it; it was kept out only for start-up
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, 4.0), dpi=DPI)
    canvas: Any = FigureCanvasAgg(fig)
    layout = _Layout(timeline, canvas.get_renderer())
    placements = [layout.place(row) for row in timeline.rows]
    heights = [_row_height(lanes) for _, lanes, _ in placements]
    plot_h = sum(heights)
    notes = _footer(timeline, sum(hidden for _, _, hidden in placements))
    bottom_in = 1.55 + 0.3 * len(notes)
    height = TOP_IN + plot_h + bottom_in
    fig.set_size_inches(WIDTH_IN, height)
    ax = fig.add_axes((LEFT_IN / WIDTH_IN, bottom_in / height, layout.plot_w / WIDTH_IN, plot_h / height))
    ax.set_xlim(0, layout.plot_w)
    ax.set_ylim(plot_h, 0)
    for side in ("left", "right"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    _date_axis(ax, timeline, layout)

    top = 0.0
    for row, (placed, _, hidden), row_h in zip(timeline.rows, placements, heights, strict=True):
        _draw_row(ax, row, placed, hidden, top, row_h, layout)
        top += row_h

    if timeline.today_shown:  # a widened picture may end before today
        today_x = (layout.x(timeline.today) + layout.x(timeline.today, end=True)) / 2
        ax.axvline(today_x, color=INK, linewidth=1.6, zorder=5)
        ax.text(
            today_x,
            -0.36,
            "Today",
            fontsize=TEXT_PT,
            fontweight="bold",
            ha="center",
            va="bottom",
            transform=ax.transData,
            clip_on=False,
        )

    _titles_and_legend(fig, timeline, notes, height)
    return fig


def _legend_handles(timeline: Timeline) -> list[Any]:
    """One entry for each kind of thing the picture draws, and nothing else."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    items = [item for row in timeline.rows for item in row.items]
    kinds = {item.kind for item in items}
    statuses = {row.status for row in timeline.rows if row.status is not None}
    handles: list[Any] = [
        Patch(facecolor=colour, alpha=0.35, label=domain.DEVELOPER_STATUS_LABELS[status])
        for status, colour in STATUS_COLOURS.items()
        if status in statuses
    ]
    if any(item.kind == "window" and not item.overdue for item in items):
        handles.append(
            Patch(facecolor=WINDOW_COLOUR, label="Review window (submission due to planned release)")
        )
    if any(item.overdue for item in items):
        handles.append(
            Patch(
                facecolor=OVERDUE_COLOUR,
                hatch="///",
                edgecolor=INK,
                label="Overdue: window open, not submitted",
            )
        )
    if any(item.contested for item in items):
        handles.append(
            Patch(facecolor="white", edgecolor=INK, linestyle="--", label="Contested (dashed outline)")
        )
    if "deadline" in kinds:
        handles.append(Line2D([], [], marker="D", color=INK, linestyle="", markersize=7, label="Deadline"))
    if "released" in kinds:
        handles.append(Line2D([], [], marker="*", color=INK, linestyle="", markersize=11, label="Released"))
    if "release" in kinds:
        handles.append(
            Line2D([], [], marker=">", color=INK, linestyle="", markersize=7, label="Planned release")
        )
    if any(_is_event_point(item) for item in items):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color=EVENT_COLOUR,
                markeredgecolor=INK,
                linestyle="",
                markersize=7,
                label="Event (its day)",
            )
        )
    if any(item.kind == "event" and _is_bar(item) for item in items):
        handles.append(Patch(facecolor=EVENT_COLOUR, alpha=0.45, label="Event known to the month"))
    if timeline.today_shown:
        handles.append(Line2D([], [], color=INK, linewidth=1.6, label="Today"))
    return handles


def _is_event_point(item: TimelineItem) -> bool:
    return item.kind == "event" and not _is_bar(item)


def _titles_and_legend(fig: Figure, timeline: Timeline, notes: list[str], height: float) -> None:
    """The title and "today" line above the plot; the legend and the footer notes under it."""

    fig.text(
        0.15 / WIDTH_IN,
        1 - 0.12 / height,
        f"Review Watch timeline: {range_label(timeline.first, timeline.last)}",
        fontsize=TITLE_PT,
        fontweight="bold",
        va="top",
    )
    today = day_label(timeline.today, year=True)
    where = (
        ""
        if timeline.today_shown
        else (" (after this range)" if timeline.today > timeline.last else " (before this range)")
    )
    subtitle = f"Today is {today}{where}; dates in {timeline.tz_name}"
    if timeline.widened_from:
        subtitle = (
            f"Nothing falls in the next {timeline.widened_from} days: the tracker's dated facts. " + subtitle
        )
    fig.text(0.15 / WIDTH_IN, 1 - 0.45 / height, subtitle, fontsize=TEXT_PT, va="top")

    handles = _legend_handles(timeline)
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.15 / WIDTH_IN, (0.12 + 0.3 * len(notes)) / height),
        ncol=3,
        fontsize=TEXT_PT,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )
    for n, note in enumerate(notes):
        fig.text(0.15 / WIDTH_IN, (0.12 + 0.3 * (len(notes) - 1 - n)) / height, note, fontsize=TEXT_PT)


def _footer(timeline: Timeline, hidden_items: int) -> list[str]:
    notes = []
    if timeline.hidden_developers:
        notes.append(
            f"{timeline.hidden_developers} more developer(s) not shown"
            + (
                f", {timeline.hidden_with_items} of them with dates in this range"
                if timeline.hidden_with_items
                else ""
            )
            + ": see /deadlines or /aireview status <developer>."
        )
    if hidden_items:
        notes.append(f'{hidden_items} item(s) did not fit in their rows ("+N more"): see /deadlines.')
    return notes


def _date_axis(ax: Axes, timeline: Timeline, layout: _Layout) -> None:
    """Ticks on the first of each month (long ranges) or every other Monday, top and bottom."""
    ticks: list[date] = []
    day = timeline.first
    monthly = layout.span > 120
    # Long (widened) ranges: a tick every few months, so the labels never crowd.
    every = 1 if layout.span <= 240 else 2 if layout.span <= 480 else 3 if layout.span <= 730 else 6
    while day <= timeline.last:
        if (monthly and day.day == 1 and (day.month - 1) % every == 0) or (
            not monthly and day.weekday() == 0 and (day - timeline.today).days % 14 < 7
        ):
            ticks.append(day)
        day += timedelta(days=1)
    with_year = timeline.first.year != timeline.last.year and monthly
    ax.set_xticks([layout.x(t) for t in ticks])
    ax.set_xticklabels([f"{t:%b} {t.year}" if with_year else day_label(t) for t in ticks], fontsize=TEXT_PT)
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=True, labelbottom=True, length=4)
    for t in ticks:
        ax.axvline(layout.x(t), color="#DDDDDD", linewidth=0.8, zorder=0)


def _draw_row(
    ax: Axes,
    row: TimelineRow,
    placed: list[_Placed],
    hidden: int,
    top: float,
    row_h: float,
    layout: _Layout,
) -> None:
    from matplotlib.patches import Rectangle

    if row.status is not None:
        ax.add_patch(
            Rectangle(
                (0, top),
                layout.plot_w,
                row_h,
                facecolor=STATUS_COLOURS.get(row.status, "#999999"),
                alpha=0.13,
                linewidth=0,
                zorder=0,
            )
        )
        ax.add_patch(
            Rectangle(
                (-LEFT_IN + 0.12, top + 0.1),
                0.1,
                row_h - 0.2,
                facecolor=STATUS_COLOURS.get(row.status, "#999999"),
                linewidth=0,
                clip_on=False,
            )
        )
    ax.axhline(top + row_h, color="#BBBBBB", linewidth=0.6, zorder=1)
    name_y = top + 0.1
    ax.text(-LEFT_IN + 0.3, name_y, row.title, fontsize=NAME_PT, fontweight="bold", va="top", clip_on=False)
    subtitle = " · ".join(part for part in (row.subtitle, f"+{hidden} more" if hidden else "") if part)
    if subtitle:
        ax.text(-LEFT_IN + 0.3, name_y + 0.22, subtitle, fontsize=TEXT_PT, va="top", clip_on=False)

    for p in placed:
        _draw_item(ax, p, top, layout)


def _draw_item(ax: Axes, p: _Placed, top: float, layout: _Layout) -> None:
    """One bar or marker in its lane, with its label."""
    from matplotlib.patches import Rectangle

    item = p.item
    lane_top = top + ROW_PAD_IN / 2 + p.lane * LANE_IN
    mark_y = lane_top + 0.25
    label_y = lane_top + 0.18
    if _is_bar(item):
        left, right = layout.x(item.start), layout.x(item.end, end=True)
        event = item.kind == "event"
        ax.add_patch(
            Rectangle(
                (left, mark_y - 0.05),
                max(right - left, 0.02),
                0.1,
                facecolor=EVENT_COLOUR if event else OVERDUE_COLOUR if item.overdue else WINDOW_COLOUR,
                alpha=0.45 if event else 1.0,
                hatch="///" if item.overdue else None,
                edgecolor=INK if (item.overdue or item.contested) else "none",
                linestyle="--" if item.contested else "-",
                linewidth=1.0,
                zorder=3,
            )
        )
    else:
        centre = (layout.x(item.start) + layout.x(item.start, end=True)) / 2
        marker = {"deadline": "D", "released": "*", "event": "o"}.get(item.kind, ">")
        fill = EVENT_COLOUR if item.kind == "event" else INK
        ax.plot(
            [centre],
            [mark_y],
            marker=marker,
            markersize=11 if marker == "*" else 7,
            markerfacecolor="white" if item.contested else fill,
            markeredgecolor=INK,
            linestyle="",
            zorder=4,
        )
    ax.text(
        p.label_x,
        label_y,
        p.text or item.label,
        fontsize=TEXT_PT,
        ha=p.align,
        va="bottom",
        clip_on=False,
        zorder=6,
    )


def _png(fig: Figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def timeline_png(timeline: Timeline) -> bytes:
    return _png(draw_timeline(timeline), DPI)


def render_pngs(timeline: Timeline, fit: int | None = None) -> tuple[bytes, bytes | None]:
    """The PNG at full size and, drawn once with it, a copy at most `fit` pixels on either
    side (None without `fit`): what the drawing worker returns."""
    fig = draw_timeline(timeline)
    if fit is None:
        return _png(fig, DPI), None
    width, height = fig.get_size_inches()
    small = _png(fig, min(DPI, (fit - 0.5) / max(width, height)))  # - 0.5: never rounded past `fit`
    return _png(fig, DPI), small
