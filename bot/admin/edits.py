"""Admin edits: what a submitted form changes, and `/aireview admin` and `/aireview update`.

Nothing here calls Slack: a submission returns an Outcome (inline errors, a next view, or a
saved change), and the listeners in handlers/ update the view and post the confirmation.
Authorization is checked when a form opens (`opening`) and again on every submission (a
forged or replayed submission from a non-admin changes nothing). Every write goes through
storage.tracker or storage.facts, so each change and its history rows land in one
transaction; the alert pipeline reads status changes from history.
"""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.admin.forms import admin_menu_blocks
from bot.admin.modal import flatten_state, load_metadata
from bot.admin.opening import status_form_view
from bot.admin.saving import Outcome, Saved, match_problem
from bot.admin.submit_facts import submit_contest, submit_event, submit_settle
from bot.admin.submit_records import (
    submit_deadline,
    submit_model,
    submit_new_developer,
    submit_pick,
    submit_remove,
    submit_status,
)
from bot.admins import edit_refusal
from bot.blockkit import escape, fallback, section
from bot.deps import Deps
from bot.directory import Directory
from bot.lookup import find_developer
from bot.replies import SURFACE_SLACK, CommandRequest, Reply

UPDATE_USAGE = "Usage: `/aireview update <developer>`, e.g. `/aireview update meta`."


def submit(
    deps: Deps, directory: Directory | None, callback_id: str, user_id: str, view: dict[str, Any]
) -> Outcome:
    """Check, validate and apply one submitted admin form."""
    main = ids.ADMIN_FORM_MAIN_BLOCK[callback_id]
    refusal = edit_refusal(deps, user_id, directory)
    if refusal is not None:
        return Outcome(errors={main: refusal})
    values = flatten_state(view.get("state"))
    meta = load_metadata(view.get("private_metadata"))
    if callback_id == ids.VIEW_DEVELOPER_STATUS:
        return submit_status(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_ADD_DEVELOPER:
        return submit_new_developer(deps, user_id, values, meta)
    if callback_id == ids.VIEW_MODEL:
        return submit_model(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_DEADLINE:
        return submit_deadline(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_REMOVE_CONFIRM:
        return submit_remove(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_EVENT:
        return submit_event(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_CONTEST:
        return submit_contest(deps, user_id, values, meta)
    if callback_id == ids.VIEW_SETTLE_CONTEST:
        return submit_settle(deps, user_id, values, meta)
    return submit_pick(deps, values, meta)


def confirmation(saved: Saved) -> Reply:
    """What the admin is told after a save (the listener posts it where they started, else
    by DM, and refreshes their App Home)."""
    return Reply(text=fallback(saved.text), blocks=[section(saved.text)])


def run_admin(deps: Deps, request: CommandRequest) -> Reply:
    refusal = edit_refusal(deps, request.user_id, request.directory)
    if refusal is not None:
        return Reply(text=refusal, blocks=[section(escape(refusal))])
    return Reply(text="Review Watch admin: choose what to change.", blocks=admin_menu_blocks())


def run_update(deps: Deps, request: CommandRequest) -> Reply | None:
    refusal = edit_refusal(deps, request.user_id, request.directory)
    if refusal is not None:
        return Reply(text=refusal, blocks=[section(escape(refusal))])
    if not request.text.strip():
        return Reply(text=UPDATE_USAGE)
    match = find_developer(deps.store.db, request.text)
    if not match.found or match.record is None:
        return Reply(text=escape(match_problem("developer", match)))
    if request.surface != SURFACE_SLACK:  # without a trigger_id (a message) the caller says so
        return Reply(text="The status form opens in Slack only.")
    view = status_form_view(deps, request.directory, match.record["id"], channel=request.channel_id)
    return Reply(text="", modal=view)
