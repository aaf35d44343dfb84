"""A sweep's reads do not grow with its alerts: each statement is a round trip to the server on
PostgreSQL (docs/benchmarks.md, "SQLite and PostgreSQL side by side"), so the rows the alerts
are worded from are read a chunk of ids at a time, not one query per alert; and not at all
when the sweep planned them from rows no write has changed since (bot/alerts/render.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, time
from typing import Any

import pytest

import bot.alerts.sweep as sweep_module
from bot.deps import Deps
from storage.tracker import create_record, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MODELS = 12


@pytest.mark.parametrize("edited_meanwhile", [False, True])
def test_a_sweep_of_many_date_alerts_reads_their_rows_in_one_query(
    deps: Deps, slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch, edited_meanwhile: bool
) -> None:
    """Planned from rows unchanged since: worded as planned, nothing read again. A model edited
    between the plan and the delivery: every alert's rows read again, in one query, and the
    edited model's alert says what the tracker says now."""
    conn = deps.store.db.conn
    models = []
    for n in range(MODELS):
        model = create_record(
            deps.store.db,
            "model",
            {
                "developer_id": "meta",
                "name": f"Llama 5.{n}",
                "planned_release": "2026-07-31",
                "source": "https://example.com/meta-llama-5",
            },
            actor=ADMIN_ID,
            at=JUNE_1,
        )
        models.append(model)
    subscribe(deps, JUNE_1)
    planned = sweep_module.sweep_work

    def planned_then_edited(*args: Any, **kwargs: Any) -> Any:
        work = planned(*args, **kwargs)
        if edited_meanwhile:
            changes = {"source": "https://example.com/meta-llama-5-autumn"}
            update_record(deps.store.db, "model", models[0]["id"], changes, actor=ADMIN_ID, at=JUNE_1)
        return work

    monkeypatch.setattr(sweep_module, "sweep_work", planned_then_edited)
    statements: list[str] = []
    if isinstance(conn, sqlite3.Connection):
        conn.set_trace_callback(statements.append)
    else:  # PostgreSQL (storage/pg.py): every statement goes through the connection's execute
        execute = conn.execute

        def counted(sql: str, params: Any = None) -> Any:
            statements.append(sql)
            return execute(sql, params)

        monkeypatch.setattr(conn, "execute", counted)
    try:
        sweep(
            deps,
            slack_emulator,
            datetime.combine(datetime(2026, 7, 1).date(), time(9, 0), tzinfo=deps.settings.tz),
        )
    finally:
        if isinstance(conn, sqlite3.Connection):
            conn.set_trace_callback(None)

    texts = [m["text"] for m in slack_emulator.messages[CHANNEL]]
    assert len(alert_keys(slack_emulator)) >= MODELS + 1  # each model's 30-day alert, and the deadline's
    assert sum("Llama 5." in text for text in texts) == MODELS
    by_id = [s for s in statements if "FROM models m JOIN developers d" in s and "m.id IN" in s]
    assert len(by_id) == (1 if edited_meanwhile else 0), by_id
    edited = [json.dumps(m) for m in slack_emulator.messages[CHANNEL] if "Llama 5.0" in m["text"]]
    assert len(edited) == 1
    assert ("meta-llama-5-autumn" in edited[0]) is edited_meanwhile
