"""What the admin edit tests share (tests/bot/admin/test_admin_access.py,
test_status_form.py and test_record_forms.py): the people they act as, opening a form from
the App Home and reading what it shows, and checking a save was confirmed. Their `app` and
two-admin `settings` fixtures are in tests/bot/admin/conftest.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from storage.db import Store
from tests.conftest import ADMIN_ID
from tests.support.admin_forms import blocks_by_id, press
from tests.support.blockkit import view_errors
from tests.support.slack_emulator import SlackEmulator

OTHER_ADMIN = "UADMIN0002"
STRANGER = "USTRANGER1"
CHANNEL = "C0POLICY1"


def history_count(store: Store) -> int:
    return next(iter(store.db.query("SELECT COUNT(*) AS n FROM history")))["n"]


def opened_view(emu: SlackEmulator) -> dict[str, Any]:
    view = emu.last("views.open").args["view"]
    assert view_errors(view) == []
    return view


def initial(view: dict[str, Any], block_id: str) -> Any:
    element = blocks_by_id(view)[block_id]["element"]
    if element["type"] in ("static_select", "external_select"):
        return (element.get("initial_option") or {}).get("value")
    if element["type"] == "datepicker":
        return element.get("initial_date")
    if element["type"] == "checkboxes":
        return bool(element.get("initial_options"))
    return element.get("initial_value")


def open_from_home(
    app: App, emu: SlackEmulator, action_id: str, value: str = "", user_id: str = ADMIN_ID
) -> dict[str, Any]:
    emu.reset()
    assert press(app, action_id, value, user_id=user_id, from_home=True).status == 200
    return opened_view(emu)


def dm_texts(emu: SlackEmulator, user_id: str = ADMIN_ID) -> list[str]:
    return [m["text"] for m in emu.messages.get(user_id, [])]


def assert_saved_and_home_refreshed(emu: SlackEmulator, needle: str) -> None:
    assert any(needle in text for text in dm_texts(emu)), dm_texts(emu)
    publish = emu.last("views.publish")
    assert publish.args["user_id"] == ADMIN_ID
    assert publish.args["view"]["type"] == "home"
