"""Personal follows: `/aireview follow|unfollow|following`, for anyone (not only admins).

A person follows developers, models and alert kinds for themselves. Their alerts go through
a Slack subscription of their own whose target is their user id: the sweep, the ledger, the
catch-up, the pacing and the retries are the channels' (bot/alerts/sweep.py), and delivery
posts to the direct message between the app and them (bot/alerts/delivery.py opens it).

The subscription is derived from the follows each time they change:
- kinds: the kinds they follow, or every kind when they follow none;
- developers: those they follow and the developers of the models they follow, or every
  developer when they follow none (deadlines and news concern the whole framework and come
  through whatever developers are followed, as for channels);
- real time, or a daily or weekly digest of status changes and news
  (`/aireview follow daily|weekly|realtime`).
Unfollowing the last thing removes the subscription: no more direct messages.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.plan import (
    DIGEST_DAILY,
    DIGEST_MODES,
    DIGEST_REALTIME,
    DIGEST_WEEKLY,
    KIND_DEADLINE,
    KIND_LABELS,
    KIND_NEWS,
    KIND_OVERDUE,
    KIND_RELEASE,
    KIND_STATUS,
    KIND_WINDOW,
    SUBSCRIBABLE_KINDS,
)
from bot.blockkit import safe
from bot.deps import Deps
from bot.lookup import find_subject
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand
from storage.alerts import TARGET_SLACK, delete_subscription, get_subscription, save_subscription
from storage.follows import add_follow, developers_of_models, list_follows, remove_follow

# What people type for a kind.
KIND_WORDS = {
    "deadline": KIND_DEADLINE,
    "deadlines": KIND_DEADLINE,
    "window": KIND_WINDOW,
    "windows": KIND_WINDOW,
    "review window": KIND_WINDOW,
    "review windows": KIND_WINDOW,
    "submission due": KIND_WINDOW,
    "release": KIND_RELEASE,
    "releases": KIND_RELEASE,
    "overdue": KIND_OVERDUE,
    "status": KIND_STATUS,
    "status changes": KIND_STATUS,
    "news": KIND_NEWS,
}
MODE_WORDS = {
    "realtime": DIGEST_REALTIME,
    "real-time": DIGEST_REALTIME,
    "daily": DIGEST_DAILY,
    "weekly": DIGEST_WEEKLY,
}
FOLLOW_USAGE = (
    "Usage: `/aireview follow <developer|model|kind>` (e.g. `/aireview follow meta`, "
    "`/aireview follow model:meta muse spark`, `/aireview follow news`), or "
    "`/aireview follow daily|weekly|realtime` for how they arrive. Kinds: "
    + ", ".join(sorted({w for w in KIND_WORDS if " " not in w and not w.endswith("s")}))
    + "."
)
SLACK_ONLY = "Follows are for people in Slack: alerts arrive as direct messages from Review Watch."


def _resolve(deps: Deps, text: str) -> tuple[str, str, str] | Reply:
    """(what, value, label) for a kind, a developer or a model; or the Reply saying why not."""
    words = " ".join(text.lower().split())
    if words in KIND_WORDS:
        kind = KIND_WORDS[words]
        return "kind", kind, KIND_LABELS[kind]
    match = find_subject(deps.store.db, text)
    if match.record is None:
        if match.ambiguous:
            names = ", ".join(safe(c.label, 100) for c in match.candidates[:5])
            return Reply(text=f"“{safe(text, 100)}” matches several: {names}. Say which one.")
        hint = f" Did you mean {safe(match.suggestions[0].label, 100)}?" if match.suggestions else ""
        return Reply(text=f"Nothing tracked is called “{safe(text, 100)}”.{hint} {FOLLOW_USAGE}")
    record = match.record
    if match.entity == "developer":
        return "developer", str(record["id"]), str(record["name"])
    if match.entity == "model":
        developer = deps.store.db.execute(
            "SELECT name FROM developers WHERE id = ?", [record["developer_id"]]
        ).fetchone()
        return (
            "model",
            str(record["id"]),
            f"{developer[0] if developer else record['developer_id']} / {record['name']}",
        )
    return Reply(
        text="Deadlines come to everyone who follows anything; follow a developer, a model or a kind."
    )


def sync_subscription(deps: Deps, user_id: str) -> dict[str, Any] | None:
    """The person's DM subscription, made from their follows (None: they follow nothing)."""
    db = deps.store.db
    follows = list_follows(db, user_id)
    if not follows:
        delete_subscription(db, TARGET_SLACK, user_id)
        return None
    kinds = [f["value"] for f in follows if f["what"] == "kind"] or list(SUBSCRIBABLE_KINDS)
    developers = {f["value"] for f in follows if f["what"] == "developer"}
    developers |= set(developers_of_models(db, [f["value"] for f in follows if f["what"] == "model"]))
    existing = get_subscription(db, TARGET_SLACK, user_id)
    return save_subscription(
        db,
        target_type=TARGET_SLACK,
        target=user_id,
        kinds=kinds,
        lead_days=list(existing["lead_days"]) if existing else list(deps.settings.lead_days),
        digest=existing["digest"] if existing else DIGEST_REALTIME,
        developer_filter=sorted(developers) or None,
        actor=user_id,
        now=deps.clock.now(),
        delivery_days=existing.get("delivery_days", "business") if existing else "business",
    )


def _set_mode(deps: Deps, user_id: str, mode: str) -> Reply:
    existing = get_subscription(deps.store.db, TARGET_SLACK, user_id)
    if existing is None:
        return Reply(
            text="You follow nothing yet: `/aireview follow meta` first, then choose how they arrive."
        )
    save_subscription(
        deps.store.db,
        target_type=TARGET_SLACK,
        target=user_id,
        kinds=list(existing["kinds"]),
        lead_days=list(existing["lead_days"]),
        digest=mode,
        developer_filter=existing["developer_filter"],
        actor=user_id,
        now=deps.clock.now(),
        delivery_days=existing.get("delivery_days", "business"),
    )
    return Reply(text=f"Your followed alerts now arrive as: {DIGEST_MODES[mode]} (status changes and news).")


def run_follow(deps: Deps, request: CommandRequest) -> Reply:
    if request.surface != SURFACE_SLACK:
        return Reply(text=SLACK_ONLY)
    text = request.text.strip()
    if not text:
        return Reply(text=FOLLOW_USAGE)
    if text.lower() in MODE_WORDS:
        return _set_mode(deps, request.user_id, MODE_WORDS[text.lower()])
    resolved = _resolve(deps, text)
    if isinstance(resolved, Reply):
        return resolved
    what, value, label = resolved
    label = safe(label, 150)
    if not add_follow(deps.store.db, request.user_id, what, value, label, deps.clock.now()):
        return Reply(text=f"You already follow {label}. `/aireview following` lists what you follow.")
    sub = sync_subscription(deps, request.user_id)
    mode = DIGEST_MODES[sub["digest"]] if sub else DIGEST_MODES[DIGEST_REALTIME]
    return Reply(
        text=f"You now follow {label}. Its alerts arrive as direct messages from Review Watch "
        f"({mode.lower()}); `/aireview following` lists what you follow, `/aireview unfollow "
        f"{safe(text, 100)}` stops it."
    )


def run_unfollow(deps: Deps, request: CommandRequest) -> Reply:
    if request.surface != SURFACE_SLACK:
        return Reply(text=SLACK_ONLY)
    text = request.text.strip()
    if not text:
        return Reply(
            text="Usage: `/aireview unfollow <developer|model|kind>`, e.g. `/aireview unfollow meta`."
        )
    resolved = _resolve(deps, text)
    if isinstance(resolved, Reply):
        return resolved
    what, value, label = resolved
    label = safe(label, 150)
    if not remove_follow(deps.store.db, request.user_id, what, value):
        return Reply(text=f"You do not follow {label}. `/aireview following` lists what you follow.")
    sub = sync_subscription(deps, request.user_id)
    if sub is None:
        return Reply(text=f"You no longer follow {label}, and follow nothing now: no more direct messages.")
    return Reply(text=f"You no longer follow {label}.")


def run_following(deps: Deps, request: CommandRequest) -> Reply:
    if request.surface != SURFACE_SLACK:
        return Reply(text=SLACK_ONLY)
    follows = list_follows(deps.store.db, request.user_id)
    if not follows:
        return Reply(
            text="You follow nothing. `/aireview follow meta` (a developer, a model or a kind) starts."
        )
    sub = get_subscription(deps.store.db, TARGET_SLACK, request.user_id)
    names = {"developer": "Developers", "model": "Models", "kind": "Alert kinds"}
    lines = []
    for what, heading in names.items():
        labels = [safe(f["label"], 150) for f in follows if f["what"] == what]
        if labels:
            lines.append(f"{heading}: " + ", ".join(labels))
    mode = DIGEST_MODES[sub["digest"]] if sub else DIGEST_MODES[DIGEST_REALTIME]
    lines.append(f"They arrive as direct messages: {mode} for status changes and news.")
    return Reply(text="You follow:\n" + "\n".join(lines))


FOLLOW_SUBCOMMANDS = (
    Subcommand(
        "follow",
        "follow <developer|model|kind>",
        "follow something yourself: its alerts arrive as direct messages (`follow daily` for a digest)",
        "/aireview follow meta",
        run_follow,
    ),
    Subcommand(
        "unfollow",
        "unfollow <developer|model|kind>",
        "stop following it",
        "/aireview unfollow meta",
        run_unfollow,
    ),
    Subcommand(
        "following", "following", "what you follow, and how it arrives", "/aireview following", run_following
    ),
)
