"""What a user can ask the exports for: the formats, the CSV tables and the picture's days.

Its own small module so that the command table (`commands`) can name them in help without
loading the calendar and CSV code (`files`) or the picture code (`timeline`), which load on
first use (docs/benchmarks.md: imports at start)."""

from __future__ import annotations

FORMAT_ICS = "ics"
FORMAT_CSV = "csv"
FORMATS = (FORMAT_ICS, FORMAT_CSV)
CSV_TABLES = ("developers", "models", "deadlines", "history", "events", "sources")
# Tables computed from the others, exported one at a time (not in the zip of CSV_TABLES).
CSV_VIEWS = ("compare",)

# The timeline picture: the next DEFAULT_DAYS days by default, at most MAX_DAYS, and always
# the last PAST_DAYS.
DEFAULT_DAYS = 90
MAX_DAYS = 365
PAST_DAYS = 14
