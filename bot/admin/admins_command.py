"""`/aireview admins`: who the admins are, and (OAuth mode) an admin adding or removing one
or setting the workspace's admin user group. Each workspace's admins live in its own database
(storage/admins.py, docs/admins.md); every change is recorded with who made it. In
single-workspace mode the admins come from the environment, so this only lists them."""

from __future__ import annotations

import re

from bot.admins import denial_text, is_admin
from bot.blockkit import fallback, section
from bot.deps import Deps
from bot.replies import CommandRequest, Reply
from storage import admins as stored

USAGE = (
    "Usage: `/aireview admins` (list), `/aireview admins add @user`, `/aireview admins remove @user`, "
    "`/aireview admins group <user group id>` or `/aireview admins group off`."
)
USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")
GROUP = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$|^(S[A-Z0-9]{2,})$")
ENVIRONMENT_NOTE = (
    "In this single-workspace setup the admins are set in the environment: REVIEWWATCH_ADMINS "
    "(Slack user ids) and REVIEWWATCH_ADMIN_GROUP (a user group id); change them there and "
    "restart the app."
)


def _say(text: str) -> Reply:
    return Reply(text=fallback(text), blocks=[section(text)])


def _listing(admins: list[str], group: str | None) -> str:
    people = ", ".join(f"<@{admin}>" for admin in admins) or "nobody"
    line = f"*Review Watch admins:* {people}."
    return line + (f" Members of the user group <!subteam^{group}> are admins too." if group else "")


def _environment_admins(deps: Deps, action: str) -> Reply:
    settings = deps.settings
    text = _listing(list(settings.admins), settings.admin_group)
    if action:
        text = f"Nothing was changed. {ENVIRONMENT_NOTE}\n{text}"
    else:
        text = f"{text}\n{ENVIRONMENT_NOTE}"
    return _say(text)


def _workspace_listing(deps: Deps) -> str:
    db = deps.store.db
    admins = [row["user_id"] for row in stored.list_admins(db)]
    text = _listing(admins, stored.admin_group(db))
    changes = stored.admin_changes(db, limit=5)
    if changes:
        lines = [
            f"• {c['at'][:16].replace('T', ' ')} UTC <@{c['actor']}> {c['action']} {_named(c)}"
            for c in changes
        ]
        text += "\n*Latest changes:*\n" + "\n".join(lines)
    return text.replace("<@(install)>", "the install")


def _named(change: dict[str, str]) -> str:
    subject = change["subject"]
    if not subject:
        return ""
    return f"<!subteam^{subject}>" if change["action"].startswith("group") else f"<@{subject}>"


def _change(deps: Deps, request: CommandRequest, action: str, arg: str) -> str:
    db, actor, now = deps.store.db, request.user_id, deps.clock.now()
    if action == "group":
        if arg.lower() == "off":
            stored.set_admin_group(db, None, actor, now)
            return "The admin user group is off: only the admins listed are admins here."
        group = GROUP.match(arg)
        if group is None:
            return f"`{arg}` is not a user group id (it looks like S012ABCDEF). {USAGE}"
        group_id = group[1] or group[2]
        stored.set_admin_group(db, group_id, actor, now)
        return f"Members of <!subteam^{group_id}> are now admins of Review Watch here."
    user = USER.match(arg)
    if user is None:
        return f"Name one person, picked with @ (or their member id, such as U012ABCDEF). {USAGE}"
    user_id = user[1] or user[2]
    if action == "add":
        added = stored.add_admin(db, user_id, actor, now)
        return f"<@{user_id}> is {'now' if added else 'already'} an admin of Review Watch here."
    try:
        removed = stored.remove_admin(db, user_id, actor, now)
    except stored.LastAdmin:
        return f"<@{user_id}> is the only admin here, so they stay one: add another admin first."
    return f"<@{user_id}> is {'no longer' if removed else 'not'} an admin of Review Watch here."


def run_admins(deps: Deps, request: CommandRequest) -> Reply:
    """List the admins; add, remove or set the group (admins of this workspace only)."""
    action, _, arg = request.text.strip().partition(" ")
    action, arg = action.lower(), arg.strip()
    if action in ("", "list"):
        action = ""
    elif action not in ("add", "remove", "group") or not arg:
        return _say(USAGE)
    if not deps.settings.oauth_mode:
        return _environment_admins(deps, action)
    if not action:
        return _say(_workspace_listing(deps))
    if not is_admin(deps, request.user_id, request.directory):
        return _say(denial_text(deps).replace("change the tracker", "change who the admins are"))
    return _say(_change(deps, request, action, arg) + "\n" + _workspace_listing(deps))
