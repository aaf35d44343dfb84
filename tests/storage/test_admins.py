"""A workspace's own admins (storage/admins.py, migration m030) on SQLite and PostgreSQL: the
installer only when there is none, the last admin kept, every change recorded with who made it."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from storage import admins
from storage.db import Store


def test_admins_are_added_removed_and_recorded_and_the_last_one_stays(
    store: Store, clock: FixedClock
) -> None:
    db, now = store.db, clock.now()
    assert admins.add_first_admin(db, "U0INSTALL", now)
    assert not admins.add_first_admin(db, "U0LATER", now)  # a reinstall keeps the admins
    assert admins.add_admin(db, "U0SECOND", "U0INSTALL", now)
    assert not admins.add_admin(db, "U0SECOND", "U0INSTALL", now)
    assert admins.admin_ids(db) == {"U0INSTALL", "U0SECOND"}
    assert admins.remove_admin(db, "U0INSTALL", "U0SECOND", now)
    assert not admins.remove_admin(db, "U0NOBODY", "U0SECOND", now)
    with pytest.raises(admins.LastAdmin):
        admins.remove_admin(db, "U0SECOND", "U0SECOND", now)
    assert [row["user_id"] for row in admins.list_admins(db)] == ["U0SECOND"]
    admins.set_admin_group(db, "S0ADMINS", "U0SECOND", now)
    assert admins.admin_group(db) == "S0ADMINS"
    admins.set_admin_group(db, None, "U0SECOND", now)
    assert admins.admin_group(db) is None
    changes = [(c["action"], c["subject"], c["actor"]) for c in admins.admin_changes(db)]
    assert changes == [
        ("group off", None, "U0SECOND"),
        ("group set", "S0ADMINS", "U0SECOND"),
        ("removed", "U0INSTALL", "U0SECOND"),
        ("added", "U0SECOND", "U0INSTALL"),
        ("added", "U0INSTALL", "(install)"),
    ]
