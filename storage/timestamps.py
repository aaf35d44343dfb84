"""The one timestamp format stored in the database."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(at: datetime) -> str:
    """ISO 8601 in UTC, seconds precision: what every *_at column holds."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat()
