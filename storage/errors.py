"""The one error the storage layer raises when the database cannot be used at all."""

from __future__ import annotations


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened, reached or written; the message says which and why in
    one line (a URL's password left out)."""
