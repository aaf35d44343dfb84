"""`python app.py workspaces` (who installed Review Watch, and how each installation is) and
`python app.py rotate-token-key` (every stored token encrypted again with the first key)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from bot.install.crypto import TokenCipher
from storage import installations as rows
from storage.db import PgStore, Store

COLUMNS = ("WORKSPACE", "NAME", "INSTALLED AT", "INSTALLER", "STATUS", "LAST DELIVERY PROBLEM")
NO_INSTALLS = "No workspace has installed Review Watch yet (OAuth mode: docs/install.md)."


def workspace_table(db: Database, last_problem: Callable[[str], str | None] | None = None) -> list[str]:
    """One line per installation, oldest first, under a header. `last_problem(key)` gives the
    newest delivery problem in that workspace's own data, where it is known."""
    installs = rows.list_installations(db)
    if not installs:
        return [NO_INSTALLS]
    table = [COLUMNS]
    for row in installs:
        key = str(row["install_key"])
        kind = " (organization)" if row["is_enterprise_install"] else ""
        problem = row["status_note"] if row["status"] != rows.STATUS_ACTIVE else None
        table.append(
            (
                key + kind,
                str(row["team_name"] or "-"),
                str(row["installed_at"]),
                str(row["user_id"] or "-"),
                str(row["status"]).replace("_", " "),
                problem or (last_problem(key) if last_problem else None) or "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(line, widths, strict=False)), line[-1]])
        for line in table
    ]


def rotate_token_key(db: Database, cipher: TokenCipher, at: datetime) -> tuple[int, int]:
    """Encrypt every stored token again with the cipher's first key, in one transaction
    (a token no key decrypts stops it with TokenKeyError and changes nothing).
    Returns (tokens, installations)."""
    tokens = 0
    installs = rows.list_installations(db)
    with db.atomic():
        for row in installs:
            fields = {column: cipher.rotate(row[column]) for column in rows.TOKEN_COLUMNS if row[column]}
            if fields:
                rows.update_tokens(db, str(row["install_key"]), fields, at)
                tokens += len(fields)
    return tokens, len(installs)


def last_delivery_problem(home: Store, key: str) -> str | None:
    """What last went wrong delivering in workspace `key`: its last sweep's error (the
    registry, docs/workspaces.md), else its newest delivery problem not since cured, read
    from its own database (never created here)."""
    from storage.alerts import delivery_problems
    from storage.workspaces import open_workspace_store, workspace_file, workspace_row

    registered = workspace_row(home.db, key)
    if registered is not None and registered.get("last_sweep_error"):
        return f"last sweep: {registered['last_sweep_error']}"
    if not isinstance(home, PgStore) and not workspace_file(home, key).is_file():
        return None
    store = open_workspace_store(home, key, migrate=False)
    try:
        problems = delivery_problems(store.db, limit=1)
    except Exception:  # noqa: BLE001 - no such schema or table yet: nothing known
        return None
    finally:
        store.close()
    return f"{problems[0]['target']}: {problems[0]['last_error']}" if problems else None
