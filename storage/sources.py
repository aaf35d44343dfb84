"""Sources as records and the citations that tie facts to them.

A source: title or publisher, URL or citation, published date at its precision, when it
was read. `citations` says which sources state which fact: (entity, id, field) -> source;
field '*' stands for every fact of the record without a citation of its own. A
developer's, model's or deadline's `source` column keeps the labels of every source it
cites, for the surfaces that show one line per record (CSV, calendar).

Imports nothing from the rest of storage/, so storage.tracker can cite what it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlite_utils import Database

from storage.dates import parse_partial
from storage.timestamps import utc_iso

WHOLE_RECORD = "*"
# The tables whose `source` column lists their citations (events and framework facts show
# theirs per fact instead).
_SOURCE_COLUMN_TABLES = {"developer": "developers", "model": "models", "deadline": "deadlines"}


class SourceError(ValueError):
    """A source that cannot be recorded; the message is fit to show a user."""


def source_label(row: dict[str, Any]) -> str:
    """'Stocktwits (citing The New York Times), June 2026': its name, citation and published
    date, then its URL ('Title, July 2026 — https://…'); the URL alone when nothing names it."""
    name = row.get("title") or row.get("publisher")
    if row.get("title") and row.get("publisher"):
        name = f"{row['publisher']}: {row['title']}"
    parts = name or ""
    if row.get("citation"):
        parts = f"{parts} ({row['citation']})" if parts else row["citation"]
    published = parse_partial(row.get("published"))
    if parts and published is not None:
        parts += f", {published.label()}"
    url = row.get("url")
    if not parts:
        return str(url or "unnamed source") + (f", {published.label()}" if url and published else "")
    return f"{parts} — {url}" if url else str(parts)


_TRACKING = ("utm_", "fbclid", "gclid", "mc_eid", "mc_cid", "igshid", "dclid", "msclkid", "_hsenc", "_hsmi")


def clean_url(url: str) -> str:
    """The URL without tracking parameters (utm_*, fbclid, gclid and the like)."""
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith(_TRACKING)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def get_source(db: Database, source_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM sources WHERE id = ?", [source_id]))
    return rows[0] if rows else None


def list_sources(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first."""
    return list(db.query("SELECT * FROM sources ORDER BY id DESC LIMIT ?", [limit]))


def list_source_names(db: Database) -> list[dict[str, Any]]:
    """Every source's naming fields, newest first (for the type-ahead source menu)."""
    return list(
        db.query("SELECT id, title, publisher, url, citation, published FROM sources ORDER BY id DESC")
    )


def sources_stamp(db: Database) -> tuple[int, int]:
    """Changes whenever a source is added or removed (sources are never edited in place)."""
    row = next(iter(db.query("SELECT COALESCE(MAX(id), 0) AS newest, COUNT(*) AS n FROM sources")))
    return int(row["newest"]), int(row["n"])


def source_by_seed_key(db: Database, seed_key: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM sources WHERE seed_key = ?", [seed_key]))
    return rows[0] if rows else None


def add_source(
    db: Database,
    *,
    actor: str,
    at: datetime,
    title: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    citation: str | None = None,
    published: str | None = None,
    read_at: datetime | None = None,
    seed_key: str | None = None,
) -> dict[str, Any]:
    """A new source record; a URL already recorded gives its existing record instead."""
    if not any((title, publisher, url, citation)):
        raise SourceError("A source needs a title, a publisher, a URL or a citation.")
    if published:
        parse_partial(published)  # raises for text that is not a date
    if url:
        url = clean_url(url)
        same = list(db.query("SELECT * FROM sources WHERE url = ? ORDER BY id LIMIT 1", [url]))
        if same:
            return same[0]
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO sources (title, publisher, url, citation, published, read_at, seed_key,"
            " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                title,
                publisher,
                url,
                citation,
                published,
                utc_iso(read_at) if read_at else None,
                seed_key,
                utc_iso(at),
                actor,
            ],
        )
        created = get_source(db, int(cursor.lastrowid or 0))
    assert created is not None
    return created


def source_from_text(db: Database, text: str, *, actor: str, at: datetime) -> dict[str, Any]:
    """A source typed as one line (a URL or a citation), as forms and older callers give it."""
    value = text.strip()
    if value.startswith(("http://", "https://")) and " " not in value:
        return add_source(db, actor=actor, at=at, url=value, read_at=at)
    same = list(db.query("SELECT * FROM sources WHERE citation = ? AND url IS NULL LIMIT 1", [value]))
    return same[0] if same else add_source(db, actor=actor, at=at, citation=value, read_at=at)


# ---------------------------------------------------------------- citations


def cite(
    db: Database, entity: str, entity_id: str | int, fields: Iterable[str], source_ids: Sequence[int]
) -> None:
    """These fields of the record are stated by these sources (replacing what cited them)."""
    with db.atomic():
        for field in fields:
            db.execute(
                "DELETE FROM citations WHERE entity = ? AND entity_id = ? AND field = ?",
                [entity, str(entity_id), field],
            )
            for source_id in dict.fromkeys(source_ids):
                db.execute(
                    "INSERT INTO citations (entity, entity_id, field, source_id) VALUES (?, ?, ?, ?)",
                    [entity, str(entity_id), field, source_id],
                )
        refresh_source_text(db, entity, entity_id)


def refresh_source_text(db: Database, entity: str, entity_id: str | int) -> None:
    table = _SOURCE_COLUMN_TABLES.get(entity)
    if table is None:
        return
    labels = [source_label(s) for s in record_sources(db, entity, entity_id)]
    db.execute(
        f"UPDATE {table} SET source = ? WHERE id = ?",
        ["; ".join(labels) if labels else None, entity_id],
    )


def record_sources(db: Database, entity: str, entity_id: str | int) -> list[dict[str, Any]]:
    """Every source the record cites, in the order first cited."""
    return list(
        db.query(
            "SELECT s.* FROM sources s WHERE s.id IN (SELECT source_id FROM citations "
            "WHERE entity = ? AND entity_id = ?) ORDER BY s.id",
            [entity, str(entity_id)],
        )
    )
