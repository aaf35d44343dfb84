"""The timeline picture's content and its entry points: deadlines, review windows and
releases per developer, read from the tracker into plain rows (`timeline_data`, testable
without drawing), and the PNG as the listeners and the briefing take it.

The running app has the picture drawn by a worker process (bot/exports/painter.py), so
matplotlib never loads into the server; `python app.py export timeline` draws in its own
one-shot process (bot/exports/timeline_draw.py).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

from bot import domain
from bot.deps import Deps
from bot.exports.choices import DEFAULT_DAYS, MAX_DAYS, PAST_DAYS
from bot.exports.timeline_rows import Timeline, TimelineItem, TimelineRow, day_label
from bot.replies import FileUpload
from storage.timeline import deadlines_in_range, developers_by_id, models_in_range

MAX_ROWS = 12  # developer rows; the rest are counted under the picture
MAX_LABEL = 30  # characters of a model name or deadline title shown
MAX_NAME = 20  # characters of a developer's name (the left margin)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(name: str, *, overdue: bool = False, contested: bool = False) -> str:
    flags = [word for word, on in (("overdue", overdue), ("contested", contested)) if on]
    return _short(name) + (f" ({', '.join(flags)})" if flags else "")


def _is_holdout_first(row: dict[str, Any]) -> tuple[bool, str]:
    return (row["status"] == "signed", str(row["name"]).lower())


def _model_items(
    models: list[dict[str, Any]], first: date, last: date, today: date, window_days: int
) -> dict[str, list[TimelineItem]]:
    """Each developer's review windows (not yet released) and releases in [first, last]."""
    items: dict[str, list[TimelineItem]] = {}
    for model in models:
        released = domain.parse_date(model.get("released"))
        contested = bool(model.get("contested"))
        if domain.is_released(model):
            if released is not None and first <= released <= last:
                label = _label(f"{model['name']} released", contested=contested)
                items.setdefault(model["developer_id"], []).append(
                    TimelineItem(label, released, released, "released", contested=contested)
                )
            continue
        planned = domain.parse_date(model.get("planned_release"))
        opens = domain.review_window_opens(model, window_days)
        if planned is None or opens is None:
            continue
        overdue = domain.is_overdue(model, today, window_days)
        items.setdefault(model["developer_id"], []).append(
            TimelineItem(
                _label(model["name"], overdue=overdue, contested=contested),
                opens,
                planned,
                "window",
                overdue=overdue,
                contested=contested,
            )
        )
    return items


def _deadlines_row(deadlines: list[dict[str, Any]]) -> TimelineRow:
    return TimelineRow(
        "Deadlines",
        "",
        None,
        [
            TimelineItem(
                _label(d["title"], contested=bool(d.get("contested"))),
                day,
                day,
                "deadline",
                contested=bool(d.get("contested")),
            )
            for d in deadlines
            if (day := domain.parse_date(d["due_date"])) is not None
        ],
    )


def timeline_data(deps: Deps, days: int = DEFAULT_DAYS) -> Timeline | None:
    """The picture's content for the next `days` days and the last PAST_DAYS, or None when
    nothing (no deadline, review window or release) falls in that range."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=days)
    window_days = deps.settings.review_window_days
    db = deps.store.db
    deadlines = deadlines_in_range(db, first, last)
    models = models_in_range(db, first, last, window_days)
    if not deadlines and not models:
        return None
    developers = developers_by_id(db)
    items = _model_items(models, first, last, today, window_days)
    with_items = sorted((developers[d] for d in items if d in developers), key=_is_holdout_first)
    without = sorted((d for i, d in developers.items() if i not in items), key=_is_holdout_first)
    chosen = (with_items + without)[:MAX_ROWS]
    chosen.sort(key=_is_holdout_first)
    rows = [_deadlines_row(deadlines)] if deadlines else []
    for dev in chosen:
        status = domain.DEVELOPER_STATUS_LABELS.get(dev["status"], str(dev["status"]))
        rows.append(
            TimelineRow(
                _short(dev["name"], MAX_NAME),
                status + (" (contested)" if dev.get("contested") else ""),
                dev["status"],
                items.get(dev["id"], []),
            )
        )
    return Timeline(
        first=first,
        last=last,
        today=today,
        tz_name=deps.settings.timezone_name,
        rows=rows,
        hidden_developers=len(developers) - len(chosen),
        hidden_with_items=max(0, len(with_items) - MAX_ROWS),
    )


def empty_range_line(deps: Deps, days: int) -> str:
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=days)
    return (
        f"Nothing to draw: no deadline, review window or release falls between "
        f"{day_label(first, year=True)} and {day_label(last, year=True)}."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------- the PNG


def timeline_file(deps: Deps, days: int = DEFAULT_DAYS) -> FileUpload | None:
    """The picture ready to upload or write (drawn by the worker process), or None when
    nothing falls in the range."""
    from bot.exports.painter import draw_pngs

    timeline = timeline_data(deps, days)
    if timeline is None:
        return None
    png, _ = draw_pngs(timeline, idle_seconds=deps.settings.picture_worker_idle, painter=deps.painter)
    return _timeline_upload(timeline, png)


def timeline_pictures(deps: Deps, fit: int, days: int = DEFAULT_DAYS) -> tuple[FileUpload, bytes] | None:
    """The picture (as `timeline_file`) and, drawn once with it, a copy at most `fit` pixels
    on either side (Teams shows card images up to 1024 x 1024); None when nothing is in range."""
    from bot.exports.painter import draw_pngs

    timeline = timeline_data(deps, days)
    if timeline is None:
        return None
    png, small = draw_pngs(
        timeline, fit, idle_seconds=deps.settings.picture_worker_idle, painter=deps.painter
    )
    assert small is not None
    return _timeline_upload(timeline, png), small


def _timeline_upload(timeline: Timeline, content: bytes) -> FileUpload:
    today = timeline.today.isoformat()
    return FileUpload(
        content=content,
        filename=f"reviewwatch-timeline-{today}.png",
        title=f"Review Watch timeline, {today}",
        comment=(
            f"Timeline of deadlines, review windows and releases from {day_label(timeline.first)} to "
            f"{day_label(timeline.last, year=True)} ({_count(timeline.item_count, 'item')}; "
            f"dates in {timeline.tz_name})."
        ),
    )


class NothingToDraw(ValueError):
    """The range holds no dated item; the message is the one-line answer."""


def write_timeline(deps: Deps, path: str, days: int = DEFAULT_DAYS) -> str:
    """`python app.py export timeline PATH.png [--days N]`: write the picture, say what was
    written. A one-shot command: drawn in this process, no worker to start."""
    from bot.exports.timeline_draw import timeline_png

    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be from 1 to {MAX_DAYS}, got {days}")
    timeline = timeline_data(deps, days)
    if timeline is None:
        raise NothingToDraw(empty_range_line(deps, days))
    picture = _timeline_upload(timeline, timeline_png(timeline))
    target = os.path.join(path, picture.filename) if os.path.isdir(path) else path
    with open(target, "wb") as handle:
        handle.write(picture.content)
    return f"Wrote {target}: {picture.comment}"
