"""The ledger statements a sweep sends whatever its size (storage/alerts.py), on both engines:
which of thousands of planned keys the ledger has (on PostgreSQL one statement with the keys
as one array, storage/pg_statements.py), and the subscriptions' cursors written together,
a subscription changed since the sweep read it keeping its cleared cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from storage.alerts import advance_cursors, claim_alerts, known_keys, list_subscriptions, save_subscription
from storage.db import Store

NOW = datetime(2026, 7, 24, 13, 0, tzinfo=UTC)


def _rows(count: int) -> list[tuple[object, ...]]:
    return [
        (f"deadline|deadline:{n}|2026-08-01|7|slack:C1", "deadline", "deadline", str(n), "2026-08-01", 7)
        + ("slack", "C1", 1, "2026-07-25T13:00:00+00:00", "{}")
        for n in range(count)
    ]


def _statements(store: Store) -> list[str]:
    """What `store.db` sends from now on (PostgreSQL: each call a round trip)."""
    sent: list[str] = []
    if store.engine == "postgresql":
        pg: Any = store.db.pg  # type: ignore[attr-defined]
        for name in ("execute", "execute_bound", "executemany"):
            original = getattr(pg, name)

            def counted(sql: str, *args: Any, _original: Any = original) -> Any:
                sent.append(sql)
                return _original(sql, *args)

            setattr(pg, name, counted)
    else:
        store.db.conn.set_trace_callback(sent.append)
    return sent


def test_which_of_thousands_of_keys_the_ledger_has(store: Store) -> None:
    rows = _rows(2000)  # more than two of SQLite's IN lists (900 values each)
    claim_alerts(store.db, rows[::3], [], "a-sweep", NOW)
    present = {str(row[0]) for row in rows[::3]}
    asked = [str(row[0]) for row in rows] + [str(row[0]) for row in rows[:50]] + ["not|a|key"]

    sent = _statements(store)
    assert known_keys(store.db, asked) == present
    assert known_keys(store.db, iter(())) == set()
    if store.engine == "postgresql":
        assert len(sent) == 1, sent  # one statement, the keys in one array
    else:
        assert len(sent) == 3, sent  # 2,001 distinct keys: three lists of at most 900


def test_keys_holding_the_separator_or_empty_are_found_too(store: Store) -> None:
    """PostgreSQL's statement sends the keys joined by chr(31) (storage/pg_statements.py); a key
    holding that character, or an empty one, must not be split or lost."""
    odd = ["", "deadline|a\x1fb|2026-08-01|7|slack:C1", "deadline|c|2026-08-01|7|slack:C1"]
    rows = [(key, *_rows(1)[0][1:]) for key in odd]
    claim_alerts(store.db, rows, [], "a-sweep", NOW)
    assert known_keys(store.db, [*odd, "a", "b", "deadline|a"]) == set(odd)
    assert known_keys(store.db, [odd[1], "deadline|a", "b|2026-08-01|7|slack:C1"]) == {odd[1]}
    assert known_keys(store.db, odd[2:]) == {odd[2]}


def test_the_cursors_are_written_together_and_a_changed_subscription_keeps_its_cleared_one(
    store: Store,
) -> None:
    for target, follows in (("C1", None), ("C2", ["meta"]), ("C3", None)):
        save_subscription(
            store.db,
            target_type="slack",
            target=target,
            kinds=["deadline"],
            lead_days=[7, 1],
            digest="realtime",
            developer_filter=follows,
            actor="UADMIN0001",
            now=NOW - timedelta(days=1),
        )
    read = list_subscriptions(store.db)  # as the sweep read them
    save_subscription(  # C3 changed meanwhile: its cursor is cleared and must stay so
        store.db,
        target_type="slack",
        target="C3",
        kinds=["deadline"],
        lead_days=[3],
        digest="realtime",
        developer_filter=None,
        actor="UADMIN0001",
        now=NOW,
    )

    sent = _statements(store)
    advance_cursors(store.db, read, NOW, 41, 7, "settings-1")
    if store.engine == "postgresql":  # (SQLite's trace shows an executemany's rows one by one)
        assert len([sql for sql in sent if "UPDATE subscriptions" in sql]) == 1  # one for all three

    swept = {
        s["target"]: (s["swept_at"], s["swept_history_id"], s["swept_settings"])
        for s in list_subscriptions(store.db)
    }
    assert swept["C1"] == swept["C2"] == ("2026-07-24T13:00:00+00:00", 41, "settings-1")
    assert swept["C3"] == (None, 0, None)


def test_claims_made_inside_a_transaction_go_with_it(store: Store) -> None:
    """The sweep claims inside its own transaction (on PostgreSQL without a savepoint of their
    own, storage/db.py one_transaction): when that transaction fails, no claim is left."""
    rows = _rows(3)
    try:
        with store.db.atomic():
            assert claim_alerts(store.db, rows, [], "a-sweep", NOW).claimed == [str(r[0]) for r in rows]
            raise RuntimeError("the sweep failed before its commit")
    except RuntimeError:
        pass
    assert known_keys(store.db, [str(r[0]) for r in rows]) == set()
    assert claim_alerts(store.db, rows[:1], [], "next-sweep", NOW).claimed == [str(rows[0][0])]
