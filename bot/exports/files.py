"""Exports: an iCalendar of every dated item, and CSV copies of the tracker tables.

Built from the tracker as it is now, for three deliveries: a file uploaded to Slack
(`/aireview export`), the subscribable `GET /calendar.ics?token=...` feed in HTTP mode
(`calendar_http_response`), and `python app.py export` (`write_export`).
"""

from __future__ import annotations

import csv
import difflib
import hmac
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.domain import (
    ITEM_DEADLINE,
    ITEM_KIND_LABELS,
    ITEM_RELEASE,
    ITEM_SUBMISSION_DUE,
    DatedItem,
    dated_items,
    is_overdue,
    review_window_opens,
    today_in,
)
from bot.exports.choices import CSV_TABLES, CSV_VIEWS, FORMAT_CSV, FORMAT_ICS, FORMATS
from bot.people import names_for
from bot.read import compare_table
from bot.replies import FileUpload
from storage.dates import partial_label
from storage.exports import all_history
from storage.facts import (
    WHOLE_RECORD,
    citations_for,
    contests_for,
    list_events,
    list_sources,
    reported_date,
    source_label,
)
from storage.tracker import list_deadlines, list_developers, list_models

if TYPE_CHECKING:
    from icalendar import Calendar

PRODID = "-//Review Watch//Frontier AI model review tracker//EN"
CALENDAR_NAME = "Review Watch: AI model review dates"
UID_DOMAIN = "reviewwatch"
# Subscribed calendars poll; hourly keeps Outlook and Google close to the tracker.
REFRESH_INTERVAL = timedelta(hours=1)

DEFAULT_PATHS = {FORMAT_ICS: "reviewwatch.ics", FORMAT_CSV: "reviewwatch-csv.zip"}

# OWASP "CSV injection": a leading =, +, -, @ (or a tab / line break that a spreadsheet
# strips before looking) makes a cell a formula. Full-width forms are read the same way.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_UID_SUFFIX = {ITEM_SUBMISSION_DUE: "-submission-due", ITEM_RELEASE: "-release", ITEM_DEADLINE: ""}
_CATEGORY = {
    ITEM_DEADLINE: "Deadline",
    ITEM_SUBMISSION_DUE: "Review window",
    ITEM_RELEASE: "Planned release",
}

Row = Mapping[str, Any]


ExportFile = FileUpload  # one file ready to upload or write


# ---------------------------------------------------------------- iCalendar


def _compact_stamp(stamp: str) -> str:
    """`2026-06-03T12:00:00+00:00` -> `20260603T120000Z` (the UID-safe creation time)."""
    return datetime.fromisoformat(stamp).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(item: DatedItem, record: Row) -> str:
    """Stable for the life of the record. The creation time is part of it because SQLite
    may give a new record the id of one removed earlier, and a calendar must not mistake
    the new item for the old one."""
    suffix = _UID_SUFFIX[item.kind]
    return (
        f"{item.subject_type}-{item.subject_id}{suffix}-{_compact_stamp(record['created_at'])}@{UID_DOMAIN}"
    )


def _from_stamp(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp).astimezone(UTC) if stamp else None


def _event_description(
    item: DatedItem,
    record: Row,
    tz: ZoneInfo,
    contests: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
) -> str:
    lines = [ITEM_KIND_LABELS[item.kind]]
    if item.kind == ITEM_DEADLINE and record.get("kind") not in (None, "", ITEM_DEADLINE):
        lines[0] += f" ({str(record['kind']).replace('_', ' ')})"  # a comment period, a hearing
    if item.subject_type == "model":
        status = item.status + (" (overdue: not submitted after the window opened)" if item.overdue else "")
        lines.append(f"Review status: {status}")
        if item.kind == ITEM_SUBMISSION_DUE and record.get("planned_release"):
            lines.append(f"Planned release: {record['planned_release']}")
    else:
        lines.append(f"Status: {item.status}")
    if item.kind == ITEM_DEADLINE and record.get("outcome") not in (None, "", "open"):
        lines.append(f"Outcome: {record['outcome']}")
    if item.contested and not contests:
        lines.append("Contested: yes, this date or status is disputed")
    lines += list(contests)
    lines.append(f"Source: {item.source or 'not recorded'}")
    if record.get("as_of"):
        lines.append(f"As of: {partial_label(record['as_of'])}")
    if record.get("note"):
        lines.append(f"Note: {record['note']}")
    changed = _local_time(record.get("updated_at"), tz)
    who = record["updated_by"]
    lines.append(f"Last changed {changed} ({tz.key}) by {(names or {}).get(who, who)}")
    return "\n".join(lines)


def build_calendar(
    models: Iterable[Row],
    deadlines: Iterable[Row],
    *,
    now: datetime,
    tz_name: str,
    window_days: int,
    contests: Mapping[tuple[str, str], Sequence[str]] | None = None,
    names: Mapping[str, str] | None = None,
) -> Calendar:
    """Every deadline, review window opening and planned release as an all-day event.

    The dates are the team's calendar days (the tracker stores dates as the team reads
    them), so they are written as DATE values and X-WR-TIMEZONE names the team timezone.
    SEQUENCE is the record's version less one: it rises with every change to the record.
    """
    # Imported here: icalendar costs ~2 MiB resident, and only exports need it.
    from icalendar import Calendar, Event, vDuration

    models, deadlines = list(models), list(deadlines)
    records: dict[tuple[str, str], Row] = {("model", str(m["id"])): m for m in models}
    records.update({("deadline", str(d["id"])): d for d in deadlines})
    tz = ZoneInfo(tz_name)
    items = dated_items(models, deadlines, now, tz, window_days)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add(
        "x-wr-caldesc",
        "Deadlines, review window openings and planned releases under the "
        "US federal pre-release review of frontier AI models.",
    )
    cal.add("x-wr-timezone", tz_name)
    cal.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for item in sorted(items, key=lambda i: (i.day, i.kind, i.title.lower(), i.subject_id)):
        record = records[(item.subject_type, item.subject_id)]
        event = Event()
        event.add("uid", event_uid(item, record))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", ("[Contested] " if item.contested else "") + item.title)
        claims = (contests or {}).get((item.subject_type, item.subject_id), ())
        event.add("description", _event_description(item, record, tz, claims, names))
        event.add("sequence", int(record["version"]) - 1)
        event.add("status", "TENTATIVE" if item.contested else "CONFIRMED")
        event.add("categories", [_CATEGORY[item.kind]])
        event.add("transp", "TRANSPARENT")  # a date to know, not time blocked as busy
        created, modified = _from_stamp(record.get("created_at")), _from_stamp(record.get("updated_at"))
        if created:
            event.add("created", created)
        if modified:
            event.add("last-modified", modified)
        source = (item.source or "").strip()
        if source.startswith(("https://", "http://")) and " " not in source:
            event.add("url", source)  # only a real URL from the source; never made up
        cal.add_component(event)
    return cal


def calendar_bytes(deps: Deps, developer_id: str | None = None) -> bytes:
    """Every dated item; with `developer_id`, only that developer's models' (no deadlines)."""
    db = deps.store.db
    models = list_models(db, developer_id)
    deadlines = list_deadlines(db) if developer_id is None else []
    contests: dict[tuple[str, str], list[str]] = {}
    for entity, rows in (("model", models), ("deadline", deadlines)):
        flagged = [str(r["id"]) for r in rows if r.get("contested")]
        for record_id, found in contests_for(db, entity, flagged).items():
            contests[(entity, record_id)] = [c.line for c in found]
    cal = build_calendar(
        models,
        deadlines,
        now=deps.clock.now(),
        tz_name=deps.settings.timezone_name,
        window_days=deps.settings.review_window_days,
        contests=contests,
        names=names_for(deps, (r.get("updated_by") for r in [*models, *deadlines])),
    )
    return bytes(cal.to_ical())


def _team_today(deps: Deps) -> date:
    return today_in(deps.settings.tz, deps.clock.now())


def calendar_export(deps: Deps) -> ExportFile:
    content = calendar_bytes(deps)
    events = content.count(b"BEGIN:VEVENT")
    today = _team_today(deps)
    return ExportFile(
        filename=f"reviewwatch-{today.isoformat()}.ics",
        content=content,
        title=f"Review Watch calendar, {today.isoformat()}",
        comment=(
            f"Review Watch calendar: {events} dated item{'s' if events != 1 else ''} "
            "(deadlines, review window openings, planned releases) as all-day events. "
            "Open it to import into Outlook or Google Calendar."
        ),
    )


NOT_PER_WORKSPACE = (
    b"This Review Watch serves many Slack workspaces; this feed names none of them.\n"
    b"Each workspace's calendar is on its board: in Slack type /aireview board, sign in, "
    b"then open /board/calendar.ics.\n"
)


def calendar_http_response(deps: Deps, query_token: str | None) -> tuple[int, dict[str, str], bytes]:
    """`GET /calendar.ics?token=...`: the live calendar, or 404.

    404 (not 401/403) for a missing or wrong token, and when no token is configured (the
    feed is off), so the answer never tells a stranger that a feed exists.
    """
    if deps.runtime.workspaces is not None:
        # OAuth mode: one token names no workspace, and the home database holds no tracker.
        return 404, {"Content-Type": "text/plain; charset=utf-8"}, NOT_PER_WORKSPACE
    expected = deps.settings.calendar_token
    given = query_token or ""
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return 404, {"Content-Type": "text/plain; charset=utf-8"}, b"Not found\n"
    body = calendar_bytes(deps)
    headers = {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'inline; filename="reviewwatch.ics"',
        "Content-Length": str(len(body)),
        "Cache-Control": "private, max-age=300",
        "Referrer-Policy": "no-referrer",  # the token is in the URL
    }
    return 200, headers, body


# ---------------------------------------------------------------- CSV


def neutralise_cell(value: Any) -> str:
    """The text a spreadsheet shows, never run: a formula-looking cell gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a header row. The byte-order mark is what makes Excel read it as
    UTF-8 (quotes and accents intact); Python's csv module, LibreOffice and Google Sheets
    accept it too."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # excel dialect: comma, double quotes, CRLF
    writer.writerow([neutralise_cell(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


Column = tuple[str, Callable[[Row], Any]]


def _local_time(stamp: str | None, tz: ZoneInfo) -> str:
    """A stored UTC timestamp as the team's wall-clock time, in a form spreadsheets parse."""
    if not stamp:
        return ""
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _flag(row: Row, key: str) -> str:
    return "yes" if row.get(key) else "no"


def _field(key: str) -> Callable[[Row], Any]:
    return lambda row: row.get(key)


def _name(key: str, names: Mapping[str, str]) -> Callable[[Row], Any]:
    return lambda row: names.get(row.get(key) or "", row.get(key))


@dataclass(frozen=True)
class ColumnContext:
    """What some columns need beyond the row: the team's timezone and today, the review window,
    and `names`: user id -> name (bot/people.py); the id column stays for lookups and joins."""

    tz: ZoneInfo
    today: date
    window_days: int
    names: Mapping[str, str]


def _stamped(ctx: ColumnContext) -> list[Column]:
    return [
        ("updated_at", lambda r: _local_time(r.get("updated_at"), ctx.tz)),
        ("updated_by_id", _field("updated_by")),
        ("updated_by_name", _name("updated_by", ctx.names)),
    ]


SOURCED: list[Column] = [
    ("note", _field("note")),
    ("source", _field("source")),
    ("as_of", _field("as_of")),
    ("contested", lambda r: _flag(r, "contested")),
    ("contested_claims", lambda r: " | ".join(r.get("_contests") or [])),
]


def _cited(fact: str) -> Column:
    """The sources of one fact (a column per fact: the record's `source` lists them all)."""
    return (f"{fact}_source", lambda r: "; ".join(r.get("_cited", {}).get(fact, [])))


def _fields(*keys: str) -> list[Column]:
    """Columns that copy the row's field of the same name."""
    return [(key, _field(key)) for key in keys]


def _developer_columns(ctx: ColumnContext) -> list[Column]:
    return [
        *_fields("id", "name", "status", "status_since", "agreement_date"),
        *map(_cited, ("status", "status_since", "agreement_date")),
        *SOURCED,
        *_stamped(ctx),
    ]


def _model_columns(ctx: ColumnContext) -> list[Column]:
    return [
        *_fields("id", "developer_id"),
        ("developer", _field("developer_name")),
        *_fields("name", "planned_release"),
        ("submission_due", lambda r: review_window_opens(r, ctx.window_days)),
        *_fields("submitted", "released", "review_status"),
        ("overdue", lambda r: "yes" if is_overdue(r, ctx.today, ctx.window_days) else "no"),
        *map(_cited, ("planned_release", "released", "review_status")),
        *SOURCED,
        *_stamped(ctx),
    ]


def _deadline_columns(ctx: ColumnContext) -> list[Column]:
    return [
        *_fields("id", "title", "due_date", "kind", "outcome"),
        ("extended_to", _field("extended_to_date")),
        _cited("due_date"),
        *SOURCED,
        *_stamped(ctx),
    ]


def _history_columns(ctx: ColumnContext) -> list[Column]:
    return [
        ("id", _field("id")),
        ("at", lambda r: _local_time(r.get("at"), ctx.tz)),
        *_fields("entity", "entity_id", "subject", "field", "old", "new"),
        ("actor_id", _field("actor")),
        ("actor_name", _name("actor", ctx.names)),
        *_fields("note", "source", "effective"),
    ]


def _event_columns(ctx: ColumnContext) -> list[Column]:
    """An event's date (empty when no source gives one: `reported` says when it was first
    reported), then per fact the sources stating it, and every source it cites."""
    return [
        *_fields("id", "effective"),
        ("reported", _field("_reported")),
        ("kind", _field("kind")),
        ("developers", lambda r: ", ".join(r.get("developer_ids") or [])),
        ("summary", _field("summary")),
        ("effective_sources", lambda r: "; ".join(r.get("_cited", {}).get("effective", []))),
        ("summary_sources", lambda r: "; ".join(r.get("_cited", {}).get("summary", []))),
        ("sources", lambda r: "; ".join(r.get("_every_source") or [])),
        *[c for c in SOURCED if c[0] != "source"],
        *_stamped(ctx),
    ]


def _source_columns(ctx: ColumnContext) -> list[Column]:
    return [
        *_fields("id", "title", "publisher", "url", "citation", "published"),
        ("read_at", lambda r: _local_time(r.get("read_at"), ctx.tz)),
        ("label", lambda r: source_label(dict(r))),
    ]


# The columns of each table in CSV_TABLES, in order.
CSV_COLUMNS: dict[str, Callable[[ColumnContext], list[Column]]] = {
    "developers": _developer_columns,
    "models": _model_columns,
    "deadlines": _deadline_columns,
    "history": _history_columns,
    "events": _event_columns,
    "sources": _source_columns,
}


def _table_rows(deps: Deps, table: str) -> list[dict[str, Any]]:
    db = deps.store.db
    readers: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "developers": lambda: list_developers(db),
        "models": lambda: list_models(db),
        "deadlines": lambda: list_deadlines(db),
        "history": lambda: all_history(db),
        "events": lambda: list_events(db, limit=1_000_000),
        "sources": lambda: list_sources(db, limit=1_000_000)[::-1],
    }
    rows = readers[table]()
    entity = {"developers": "developer", "models": "model", "deadlines": "deadline", "events": "event"}.get(
        table
    )
    if entity is not None:
        # Each fact's sources (its own citations, else the record's) and the open contests.
        cited = citations_for(db, entity)
        contests = contests_for(db, entity)
        for row in rows:
            fields = cited.get(str(row["id"]), {})
            whole = [source_label(s) for s in fields.get(WHOLE_RECORD, [])]
            row["_cited"] = {
                f: [source_label(s) for s in fields.get(f, [])] or whole
                for f in (WHOLE_RECORD, "status", "status_since", "agreement_date", "planned_release")
                + ("released", "review_status", "due_date", "effective", "summary")
            }
            every = {int(s["id"]): s for cited_sources in fields.values() for s in cited_sources}
            row["_every_source"] = [source_label(every[k]) for k in sorted(every)]
            row["_reported"] = reported_date(every.values())
            row["_contests"] = [c.line for c in contests.get(str(row["id"]), [])]
    return rows


def tables_csv(deps: Deps, tables: Sequence[str] = CSV_TABLES) -> dict[str, bytes]:
    """`{table: csv bytes}` for the named tables (all of them by default)."""
    unknown = [t for t in tables if t not in CSV_TABLES]
    if unknown:
        raise ValueError(f"unknown table {unknown[0]!r}: expected one of {', '.join(CSV_TABLES)}")
    rows = {table: _table_rows(deps, table) for table in tables}
    actors = {r.get("updated_by") or r.get("actor") for table_rows in rows.values() for r in table_rows}
    names = names_for(deps, actors)
    context = ColumnContext(deps.settings.tz, _team_today(deps), deps.settings.review_window_days, names)
    result: dict[str, bytes] = {}
    for table in tables:
        cols = CSV_COLUMNS[table](context)
        result[table] = table_csv([h for h, _ in cols], ([get(r) for _, get in cols] for r in rows[table]))
    return result


def compare_csv(deps: Deps) -> bytes:
    """Labs side by side (`/aireview compare`), every developer, as CSV."""
    headings, rows = compare_table(deps)
    return table_csv(headings, rows)


def csv_export(deps: Deps, table: str | None = None) -> ExportFile:
    """One table as a .csv, or (no table) a .zip of all of them, one CSV per table."""
    today = _team_today(deps).isoformat()
    if table in CSV_VIEWS:
        return ExportFile(
            filename=f"reviewwatch-{table}-{today}.csv",
            content=compare_csv(deps),
            title=f"Review Watch labs side by side, {today}",
            comment="Review Watch labs side by side as CSV: one row per developer, holdouts first "
            f"(UTF-8, header row; times in {deps.settings.timezone_name}).",
        )
    if table is not None:
        return ExportFile(
            filename=f"reviewwatch-{table}-{today}.csv",
            content=tables_csv(deps, [table])[table],
            title=f"Review Watch {table}, {today}",
            comment=f"Review Watch {table} as CSV (UTF-8, header row; times in "
            f"{deps.settings.timezone_name}).",
        )
    files = tables_csv(deps)
    buffer = io.BytesIO()
    stamp = deps.clock.now().astimezone(deps.settings.tz).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(f"{name}.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return ExportFile(
        filename=f"reviewwatch-csv-{today}.zip",
        content=buffer.getvalue(),
        title=f"Review Watch tracker tables, {today}",
        comment=(
            "Review Watch tracker as CSV: developers, models, deadlines, history, events and "
            "sources, one file "
            f"each in a zip (UTF-8, header row; times in {deps.settings.timezone_name})."
        ),
    )


# ---------------------------------------------------------------- command line


class ExportUsageError(ValueError):
    """The export command line is wrong (the shell exits 2, as for any usage error)."""


def _looks_like_a_name(word: str) -> bool:
    """A bare word (no extension, no folder, not `-`) that is not an existing folder."""
    return word != "-" and not any(c in word for c in "./\\") and not os.path.isdir(word)


def write_export(deps: Deps, fmt: str, words: Sequence[str], stdout: BinaryIO) -> str:
    """`python app.py export ics [PATH]` / `export csv [TABLE] [PATH]`: write the file and
    say what was written. The words after the format read as in Slack (`export csv models`).

    PATH defaults to reviewwatch.ics / reviewwatch-csv.zip (reviewwatch-TABLE.csv with a
    table); an existing folder gets the default name inside it; `-` writes to stdout.
    """
    if fmt not in FORMATS:
        raise ExportUsageError(f"unknown export format {fmt!r}: expected ics or csv")
    words = list(words)
    tables = (*CSV_TABLES, *CSV_VIEWS)
    table = words.pop(0) if fmt == FORMAT_CSV and words and words[0] in tables else None
    if fmt == FORMAT_CSV and table is None and words and (len(words) > 1 or _looks_like_a_name(words[0])):
        # `export csv nosuch` is a mistyped table, not a file to be called "nosuch".
        close = difflib.get_close_matches(words[0].lower(), tables, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ExportUsageError(
            f"there is no table {words[0]!r}{hint}: expected one of {', '.join(tables)}, then an optional "
            "PATH (a file name with an extension such as out.zip, a folder, or - for standard output)"
        )
    if len(words) > 1:
        raise ExportUsageError(f"expected at most one PATH, got {' '.join(words)!r}")
    path = words[0] if words else None
    if fmt == FORMAT_ICS:
        export = calendar_export(deps)
        default = DEFAULT_PATHS[FORMAT_ICS]
    else:
        export = csv_export(deps, table)
        default = f"reviewwatch-{table}.csv" if table else DEFAULT_PATHS[FORMAT_CSV]
    if path == "-":
        stdout.write(export.content)
        stdout.flush()
        return export.comment
    target = path or default
    if os.path.isdir(target):
        target = os.path.join(target, default)
    with open(target, "wb") as handle:
        handle.write(export.content)
    return f"Wrote {target}: {export.comment}"
