"""Each workspace's own database (a file, or a schema on PostgreSQL) and the registry in the
home database (storage/workspaces.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import workspaces as registry
from storage.alerts import list_subscriptions, save_subscription
from storage.db import Store

AT = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)


def _subscribe(store: Store, channel: str) -> None:
    save_subscription(
        store.db, target_type="slack", target=channel, kinds=["deadline"], lead_days=[7],
        digest="realtime", developer_filter=None, actor="U1", now=AT,
    )  # fmt: skip


def _channels(store: Store) -> list[str]:
    return [row["target"] for row in list_subscriptions(store.db)]


def test_each_workspace_has_a_database_of_its_own_and_purging_one_leaves_the_rest(store: Store) -> None:
    a, b = registry.open_workspace_store(store, "T0A"), registry.open_workspace_store(store, "T0B")
    try:
        _subscribe(a, "C0A")
        _subscribe(b, "C0B")
        assert (_channels(a), _channels(b), _channels(store)) == (["C0A"], ["C0B"], [])
        assert a.peek("SELECT count(*) FROM subscriptions") == 1
        own = a.own_connection()  # what a sweep's claim renewals write through
        assert [row["target"] for row in own.query("SELECT target FROM subscriptions")] == ["C0A"]
        own.close()
        a.release()
        b.release()
        assert set(registry.workspace_databases(store)) == {"T0A", "T0B"}
        a.close()
        registry.purge_workspace_database(store, "T0A")
        assert set(registry.workspace_databases(store)) == {"T0B"}
        assert _channels(b) == ["C0B"]
        again = registry.open_workspace_store(store, "T0A")  # a reinstall starts empty
        assert _channels(again) == []
        again.close()
    finally:
        b.close()
        store.release()


def test_the_registry_remembers_a_forgotten_workspace_without_its_name(store: Store) -> None:
    db = store.db
    assert registry.register_workspace(db, "T0A", team_id="T0A", enterprise_id=None, at=AT)
    assert not registry.register_workspace(db, "T0A", team_id="T0A", enterprise_id=None, at=AT)
    registry.set_team_name(db, "T0A", "Policy team")
    registry.record_sweep(db, "T0A", AT, problems=2, error=None)
    registry.mark_forgotten(db, "T0A", AT)
    row = registry.workspace_row(db, "T0A")
    assert row is not None
    assert (row["status"], row["team_name"], row["last_sweep_at"]) == ("forgotten", None, None)
    assert registry.active_keys(db) == []
    assert registry.register_workspace(db, "T0A", team_id="T0A", enterprise_id=None, at=AT)  # back
    assert registry.active_keys(db) == ["T0A"]


@pytest.mark.parametrize("bad", ["", "t0a", "T0A; DROP", "../T0A", "T" * 40])
def test_a_key_that_is_no_slack_id_names_no_file_or_schema(bad: str) -> None:
    with pytest.raises(registry.NotAWorkspaceKey):
        registry.checked_key(bad)


def test_an_org_wide_install_is_keyed_by_its_enterprise() -> None:
    assert registry.workspace_key("T0A", "E0A", org_wide=True) == "E0A"
    assert registry.workspace_key("T0A", "E0A") == "T0A"
    assert registry.workspace_key(None, "E0A") == "E0A"


def test_a_trackers_copy_is_the_tracker_ids_and_history_included(store: Store) -> None:
    from storage.seed import seed
    from storage.shared_tracker import (
        TRACKER_TABLES,
        anonymise_authors,
        copied_generation,
        read_tracker,
        write_tracker,
    )
    from storage.tracker import update_record

    editor, reader = registry.open_workspace_store(store, "T0E"), registry.open_workspace_store(store, "T0R")
    try:
        seed(editor.db, at=AT)
        update_record(editor.db, "developer", "meta", {"note": "edited"}, actor="U0EDITOR", at=AT)
        _subscribe(reader, "C0R")
        tables = read_tracker(editor.db)
        write_tracker(reader.db, tables, 7)
        write_tracker(reader.db, tables, 7)  # again: replaced, not doubled
        assert read_tracker(reader.db) == tables
        assert copied_generation(reader.db) == 7
        assert _channels(reader) == ["C0R"]  # the reader's own data stays
        anonymise_authors(reader.db, "former")
        assert {r["actor"] for r in reader.db.query("SELECT actor FROM history")} == {"former"}
        assert {r["actor"] for r in editor.db.query("SELECT DISTINCT actor FROM history")} >= {"U0EDITOR"}
        assert all(tables[t][1] or t in ("claims", "contests") for t in TRACKER_TABLES[:3])
    finally:
        editor.close()
        reader.close()
        store.release()
