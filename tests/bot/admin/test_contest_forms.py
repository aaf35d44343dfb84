"""Contests through the admin forms: mark a fact contested with two claims and their
sources, resolve it (the claim that stands, with a source), reopen it; each is history."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from storage.facts import contests_for, source_by_seed_key
from storage.tracker import get_record, list_history
from tests.conftest import ADMIN_ID
from tests.support.admin_forms import ack_body, press, state_values
from tests.support.blockkit import view_errors
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import dispatch_payload, view_submission_payload


def open_form(app: App, emu: SlackEmulator, action: str) -> dict[str, Any]:
    emu.reset()
    press(app, action, user_id=ADMIN_ID, from_home=True)
    view = emu.last("views.open").args["view"]
    assert view_errors(view) == []
    return view


def submit(app: App, view: dict[str, Any], developer: str | None = None, **changes: Any) -> dict[str, Any]:
    sources = {k: changes.pop(k) for k in ("claim_a_source", "claim_b_source") if k in changes}
    values = state_values(view, **changes)
    for block, source_id in sources.items():  # the source type-ahead menus, as Slack sends a choice
        option = {"text": {"type": "plain_text", "text": "source"}, "value": source_id}
        state = {"type": "external_select", "selected_option": option if source_id else None}
        values[block] = {ids.ACTION_MENU_SOURCE: state}
    if developer is not None:  # the developer type-ahead menu, as Slack sends its choice
        option = {"text": {"type": "plain_text", "text": developer}, "value": developer}
        values[ids.BLOCK_DEVELOPER] = {
            ids.ACTION_MENU_DEVELOPER: {"type": "external_select", "selected_option": option}
        }
    payload = view_submission_payload(
        view["callback_id"], values, user_id=ADMIN_ID, private_metadata=view.get("private_metadata", "")
    )
    return ack_body(dispatch_payload(app, payload))


def test_contest_resolve_and_reopen_a_fact(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    db = deps.store.db
    wire, nyt = source_by_seed_key(db, "report:wire"), source_by_seed_key(db, "report:stocktwits")
    assert wire and nyt
    form = open_form(app, slack_emulator, ids.ACTION_ADMIN_CONTEST)
    claims = {
        "claim_a": "xAI agreed in May",
        "claim_a_source": str(wire["id"]),
        "claim_b": "xAI agreed in June",
        "claim_b_source": str(nyt["id"]),
    }
    # A claim without its source is refused under that claim.
    missing = submit(
        app, form, "xai", fact="agreement_date", reason="Dates differ", **{**claims, "claim_b_source": None}
    )
    assert list(missing["errors"]) == [ids.BLOCK_CLAIM_B_SOURCE]

    assert (
        submit(app, form, "xai", fact="agreement_date", reason="The reports date it differently.", **claims)
        == {}
    )
    assert get_record(db, "developer", "xai")["contested"] == 1
    [contest] = contests_for(db, "developer", ["xai"])["xai"]
    assert contest.field == "agreement_date"
    assert contest.line == (
        "Contested: US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), "
        "June 2026 says “xAI agreed in May”; Stocktwits (citing The New York Times), June 2026 says "
        "“xAI agreed in June”"
    )

    settle = open_form(app, slack_emulator, ids.ACTION_ADMIN_SETTLE_CONTEST)
    first_claim = contest.claims[0].id
    body = submit(app, settle, settle=f"resolve:{contest.id}:{first_claim}", source_pick=None, source=None)
    assert "Source is required" in body["errors"][ids.BLOCK_SOURCE]  # resolving needs a source
    body = submit(
        app,
        settle,
        settle=f"resolve:{contest.id}:{first_claim}",
        source_pick=str(wire["id"]),
        note="Checked.",
    )
    assert body == {}
    assert get_record(db, "developer", "xai")["contested"] == 0
    assert contests_for(db, "developer", ["xai"]) == {}

    settle = open_form(app, slack_emulator, ids.ACTION_ADMIN_SETTLE_CONTEST)
    assert submit(app, settle, settle=f"reopen:{contest.id}") == {}
    assert get_record(db, "developer", "xai")["contested"] == 1

    fields = [r["field"] for r in list_history(db, "developer", "xai", limit=5)]
    assert fields[:3] == ["(reopened)", "(resolved)", "(contested)"]
    resolved = next(r for r in list_history(db, "developer", "xai") if r["field"] == "(resolved)")
    assert resolved["new"] == "“xAI agreed in May” stands" and resolved["note"] == "Checked."
    assert "(wire summary)" in resolved["source"]
