"""The timeline picture's content and its entry points: deadlines, review windows,
releases and dated events (developments) per developer, read from the tracker into plain
rows (`timeline_data`, testable without drawing), and the PNG as the listeners and the
briefing take it.

The picture always tells the story: when the days asked for hold nothing, `timeline_story`
widens the range to the tracker's dated facts (and says so) instead of refusing. An event
known only to the month is drawn across its month; one with no date is not drawn.

The running app has the picture drawn by a worker process (bot/exports/painter.py), so
matplotlib never loads into the server; `python app.py export timeline` draws in its own
one-shot process (bot/exports/timeline_draw.py).
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, timedelta
from typing import Any

from bot import domain
from bot.deps import Deps
from bot.exports.choices import DEFAULT_DAYS, MAX_DAYS, PAST_DAYS
from bot.exports.timeline_rows import Timeline, TimelineItem, TimelineRow, day_label, range_label
from bot.replies import FileUpload
from storage.facts import EVENT_KIND_LABELS, list_events
from storage.timeline import deadlines_in_range, developers_by_id, models_in_range

MAX_ROWS = 12  # developer rows; the rest are counted under the picture
# Characters of a label kept in the data: the drawing fits each label to the room it has.
MAX_LABEL = 80
MAX_EVENT_LABEL = 40  # an event's short label: its kind and the start of its summary
MAX_NAME = 20  # characters of a developer's name (the left margin)
MAX_EVENTS_READ = 500
GENERAL_ROW = "Deadlines"
GENERAL_ROW_WITH_EVENTS = "Framework and deadlines"
EVERYTHING = (date(1900, 1, 1), date(2199, 12, 31))  # the range the widened picture is found in
WIDE_MARGIN_DAYS = 7  # around the tracker's dated facts, when widened


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(name: str, *, overdue: bool = False, contested: bool = False, limit: int = MAX_LABEL) -> str:
    flags = [word for word, on in (("overdue", overdue), ("contested", contested)) if on]
    return _short(name, limit) + (f" ({', '.join(flags)})" if flags else "")


def _words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with "…" when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return (cut or text[: limit - 1]) + "…"


def _event_items(
    events: list[dict[str, Any]], first: date, last: date
) -> tuple[list[TimelineItem], dict[str, list[TimelineItem]]]:
    """Dated events meeting [first, last]: those naming no developer (the framework's), and
    each developer's. An event with no date is not drawn."""
    general: list[TimelineItem] = []
    per_developer: dict[str, list[TimelineItem]] = {}
    for event in events:
        when = domain.parse_fact_date(event.get("effective"))
        if when is None or when.last_day < first or when.first_day > last:
            continue
        kind = EVENT_KIND_LABELS.get(str(event.get("kind")), "Development")
        contested = bool(event.get("contested"))  # the flag, where the tracker keeps one
        label = _words(f"{kind}: {event.get('summary') or ''}", MAX_EVENT_LABEL)
        if when.exact is None:
            label += f" ({when.label()})"  # known to the month: the span says so, and so does this
        label = _label(label, contested=contested, limit=MAX_LABEL + 20)
        item = TimelineItem(label, when.first_day, when.last_day, "event", contested=contested)
        owners = event.get("developer_ids") or []
        if not owners:
            general.append(item)
        for developer_id in owners:
            per_developer.setdefault(developer_id, []).append(item)
    return general, per_developer


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


def _general_row(deadlines: list[dict[str, Any]], events: list[TimelineItem]) -> TimelineRow:
    """Deadlines and the events that name no developer (the framework's)."""
    items = [
        TimelineItem(
            _label(d["title"], contested=bool(d.get("contested"))),
            day,
            day,
            "deadline",
            contested=bool(d.get("contested")),
        )
        for d in deadlines
        if (day := domain.parse_date(d["due_date"])) is not None
    ]
    return TimelineRow(GENERAL_ROW_WITH_EVENTS if events else GENERAL_ROW, "", None, items + events)


def timeline_data(
    deps: Deps, days: int = DEFAULT_DAYS, span: tuple[date, date] | None = None
) -> Timeline | None:
    """The picture's content for the next `days` days and the last PAST_DAYS (or for `span`),
    or None when nothing (no deadline, review window, release or dated event) falls in it."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    first, last = span or (today - timedelta(days=PAST_DAYS), today + timedelta(days=days))
    window_days = deps.settings.review_window_days
    db = deps.store.db
    deadlines = deadlines_in_range(db, first, last)
    models = models_in_range(db, first, last, window_days)
    general_events, developer_events = _event_items(list_events(db, limit=MAX_EVENTS_READ), first, last)
    if not deadlines and not models and not general_events and not developer_events:
        return None
    developers = developers_by_id(db)
    items = _model_items(models, first, last, today, window_days)
    for developer_id, events in developer_events.items():
        items.setdefault(developer_id, []).extend(events)
    with_items = sorted((developers[d] for d in items if d in developers), key=_is_holdout_first)
    without = sorted((d for i, d in developers.items() if i not in items), key=_is_holdout_first)
    chosen = (with_items + without)[:MAX_ROWS]
    chosen.sort(key=_is_holdout_first)
    rows = [_general_row(deadlines, general_events)] if deadlines or general_events else []
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


def timeline_story(deps: Deps, days: int = DEFAULT_DAYS) -> Timeline | None:
    """The picture for the days asked for; when they hold nothing, the tracker's dated facts
    from the first to the last (a week either side), marked as widened. None only when the
    tracker has no dated fact at all."""
    asked = timeline_data(deps, days)
    if asked is not None:
        return asked
    everything = timeline_data(deps, days, span=EVERYTHING)
    if everything is None:
        return None
    dated = [item for row in everything.rows for item in row.items]
    margin = timedelta(days=WIDE_MARGIN_DAYS)
    span = (min(i.start for i in dated) - margin, max(i.end for i in dated) + margin)
    widened = timeline_data(deps, days, span=span)
    assert widened is not None
    return dataclasses.replace(widened, widened_from=days)


NO_DATED_FACTS = "Nothing to draw: the tracker has no dated deadline, review window, release or event yet."


def empty_range_line(deps: Deps, days: int) -> str:
    """What the weekly briefing says when its range (which is not widened) holds nothing."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=days)
    return (
        f"Nothing to draw: no deadline, review window, release or event falls between "
        f"{day_label(first, year=True)} and {day_label(last, year=True)}."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------- the PNG


def timeline_file(deps: Deps, days: int = DEFAULT_DAYS) -> FileUpload | None:
    """The picture ready to upload (drawn by the worker process): the days asked for, widened
    to the tracker's dated facts when they hold nothing; None only when nothing is dated."""
    from bot.exports.painter import draw_pngs

    timeline = timeline_story(deps, days)
    if timeline is None:
        return None
    png, _ = draw_pngs(timeline, idle_seconds=deps.settings.picture_worker_idle, painter=deps.painter)
    return _timeline_upload(timeline, png)


def timeline_file_fitted(deps: Deps, fit: int, days: int = DEFAULT_DAYS) -> tuple[FileUpload, bytes] | None:
    """`timeline_file`'s picture (widened the same way) and, drawn once with it, a copy at most
    `fit` pixels on either side: the Teams bot's answer to `timeline` (Teams shows card images
    up to 1024 x 1024)."""
    from bot.exports.painter import draw_pngs

    timeline = timeline_story(deps, days)
    if timeline is None:
        return None
    png, small = draw_pngs(
        timeline, fit, idle_seconds=deps.settings.picture_worker_idle, painter=deps.painter
    )
    assert small is not None
    return _timeline_upload(timeline, png), small


def timeline_pictures(deps: Deps, fit: int, days: int = DEFAULT_DAYS) -> tuple[FileUpload, bytes] | None:
    """The weekly briefing's picture and, drawn once with it, a copy at most `fit` pixels on
    either side (Teams shows card images up to 1024 x 1024); None when nothing is in range
    (the briefing says so in a line rather than show other weeks)."""
    from bot.exports.painter import draw_pngs

    timeline = timeline_data(deps, days)  # the briefing's week ahead: not widened
    if timeline is None:
        return None
    png, small = draw_pngs(
        timeline, fit, idle_seconds=deps.settings.picture_worker_idle, painter=deps.painter
    )
    assert small is not None
    return _timeline_upload(timeline, png), small


def _kinds_count(timeline: Timeline) -> str:
    kinds = [item.kind for row in timeline.rows for item in row.items]
    parts = [
        _count(kinds.count("deadline"), "deadline"),
        _count(kinds.count("window"), "review window"),
        _count(kinds.count("released") + kinds.count("release"), "release"),
        _count(kinds.count("event"), "event"),
    ]
    return ", ".join(part for part in parts if not part.startswith("0 "))


def alt_text(timeline: Timeline) -> str:
    """What the picture shows, for people who cannot see it (Slack's alt text, at most 1,000
    characters): the range, what is drawn, and each row with its dated items."""
    head = f"Timeline from {range_label(timeline.first, timeline.last)}: {_kinds_count(timeline)}."
    if timeline.today_shown:
        head += f" Today is {day_label(timeline.today, year=True)}."
    rows = []
    for row in timeline.rows:
        if row.items:
            what = "; ".join(
                f"{item.label} {day_label(item.start)}"
                + (f" to {day_label(item.end)}" if item.end != item.start else "")
                for item in sorted(row.items, key=lambda i: i.start)
            )
            rows.append(f"{row.title}{f' ({row.subtitle})' if row.subtitle else ''}: {what}.")
    text = " ".join([head, *rows])
    return text if len(text) <= 1000 else text[:999] + "…"


def _timeline_upload(timeline: Timeline, content: bytes) -> FileUpload:
    today = timeline.today.isoformat()
    widened = (
        f"Nothing falls in the next {timeline.widened_from} days, so this shows the tracker's dated facts. "
        if timeline.widened_from
        else ""
    )
    return FileUpload(
        content=content,
        filename=f"reviewwatch-timeline-{today}.png",
        title=f"Review Watch timeline, {today}",
        comment=(
            f"{widened}Timeline of deadlines, review windows, releases and events from "
            f"{range_label(timeline.first, timeline.last)} ({_kinds_count(timeline) or 'nothing dated'}; "
            f"dates in {timeline.tz_name})."
        ),
        alt_text=alt_text(timeline),
    )


class NothingToDraw(ValueError):
    """The range holds no dated item; the message is the one-line answer."""


def write_timeline(deps: Deps, path: str, days: int = DEFAULT_DAYS) -> str:
    """`python app.py export timeline PATH.png [--days N]`: write the picture, say what was
    written. A one-shot command: drawn in this process, no worker to start."""
    from bot.exports.timeline_draw import timeline_png

    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be from 1 to {MAX_DAYS}, got {days}")
    timeline = timeline_story(deps, days)
    if timeline is None:
        raise NothingToDraw(NO_DATED_FACTS)
    picture = _timeline_upload(timeline, timeline_png(timeline))
    target = os.path.join(path, picture.filename) if os.path.isdir(path) else path
    with open(target, "wb") as handle:
        handle.write(picture.content)
    return f"Wrote {target}: {picture.comment}"
