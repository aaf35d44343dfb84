"""Personal follows: `/aireview follow|unfollow|following`, for anyone (not only admins).

A person follows developers, models and alert kinds for themselves. Their alerts go through
a Slack subscription of their own whose target is their user id: the sweep, the ledger, the
catch-up, the pacing and the retries are the channels' (bot/alerts/sweep.py), and delivery
posts to the direct message between the app and them (bot/alerts/slack_sender.py opens it).

The subscription is derived from the follows each time they change (the filters' meaning is
bot/alerts/rules.py's `SubjectFilter`):
- kinds: the kinds they follow, or every kind when they follow none;
- developer filter: the developers they follow (every alert about them and their models);
- model filter: the models they follow (the alerts about each model, and its developer's
  agreement-status changes and developments, not the developer's other models);
- with neither (kinds only): every developer and model. Deadlines, news and developments
  naming no developer concern the whole framework: they come with any follow;
- real time, or a daily or weekly digest of status changes, developments and news
  (`/aireview follow daily|weekly|realtime`).
Unfollowing the last thing removes the subscription: no more direct messages. Changing the
follows keeps the subscription's start, ledger and digest mode.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.alerts.alert import (
    DIGEST_DAILY,
    DIGEST_MODES,
    DIGEST_REALTIME,
    DIGEST_WEEKLY,
    KIND_DEADLINE,
    KIND_DEVELOPMENT,
    KIND_LABELS,
    KIND_NEWS,
    KIND_OVERDUE,
    KIND_RELEASE,
    KIND_STATUS,
    KIND_WINDOW,
    SUBSCRIBABLE_KINDS,
    Alert,
    Tracker,
)
from bot.alerts.fastplan import plan_alerts
from bot.alerts.sweep_plan import load_tracker
from bot.blockkit import safe
from bot.deps import Deps
from bot.lookup import find_subject
from bot.replies import SURFACE_SLACK, SURFACE_TEAMS, CommandRequest, Reply, Subcommand
from storage.alerts import (
    TARGET_SLACK,
    TARGET_TEAMS,
    claim_alerts,
    delete_subscription,
    get_subscription,
    known_keys,
    save_subscription,
)
from storage.follows import add_follow, followed_models, list_follows, remove_follow
from storage.tracker import get_developer

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
    "development": KIND_DEVELOPMENT,
    "developments": KIND_DEVELOPMENT,
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
    "`/aireview follow daily|weekly|realtime` for how they arrive. Kinds: deadline, window, "
    "release, overdue, status, development, news."
)
FOLLOW_WHATS = ("developer", "model", "kind")
SKIP_BEFORE_FOLLOWING = "due before it was followed: following starts from now"  # or the mode changed
SLACK_ONLY = "Follows are for people in Slack: alerts arrive as direct messages from Review Watch."
# A person in Teams follows from their personal chat with the bot: the request's user id is
# that chat's subscription target (`bot:<conversation id>`), and the alerts arrive there.
TEAMS_PERSON_PREFIX = "bot:"


def _target_type(user_id: str) -> str:
    return TARGET_TEAMS if user_id.startswith(TEAMS_PERSON_PREFIX) else TARGET_SLACK


def _follows_here(request: CommandRequest) -> bool:
    return request.surface == SURFACE_SLACK or (
        request.surface == SURFACE_TEAMS and request.user_id.startswith(TEAMS_PERSON_PREFIX)
    )


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
        developer = get_developer(deps.store.db, record["developer_id"])
        return (
            "model",
            str(record["id"]),
            f"{developer['name'] if developer else record['developer_id']} / {record['name']}",
        )
    return Reply(
        text="Deadlines come to everyone who follows anything; follow a developer, a model or a kind."
    )


def _save(deps: Deps, user_id: str, existing: dict[str, Any] | None, **changes: Any) -> dict[str, Any]:
    """Save the person's subscription: `changes` over what it has (or the defaults)."""
    values: dict[str, Any] = {
        "kinds": list(SUBSCRIBABLE_KINDS),
        "lead_days": list(deps.settings.lead_days),
        "digest": DIGEST_REALTIME,
        "developer_filter": None,
        "model_filter": None,
        "delivery_days": "business",
        "quiet_hours": None,
        "threads": True,
    }
    if existing is not None:
        start, end = existing.get("quiet_start"), existing.get("quiet_end")
        values.update(
            {name: existing[name] for name in ("kinds", "lead_days", "digest", "developer_filter")},
            model_filter=existing.get("model_filter"),
            delivery_days=existing.get("delivery_days") or "business",
            quiet_hours=(start, end) if start and end else None,
            threads=bool(existing.get("threads", 1)),
        )
    values.update(changes)
    return save_subscription(
        deps.store.db,
        target_type=_target_type(user_id),
        target=user_id,
        actor=user_id,
        now=deps.clock.now(),
        **values,
    )


def _due_now(deps: Deps, sub: dict[str, Any], tracker: Tracker) -> dict[str, Alert]:
    """Every alert due now for `sub` that the ledger lacks (sent or skipped by catch-up, or held)."""
    db = deps.store.db
    plan = plan_alerts(tracker, [sub], partial(known_keys, db), deps.clock.now(), deps.settings)
    alerts = [*plan.send, *(a for a, _ in plan.skip), *(a for a, _ in plan.hold)]
    return {a.key: a for a in alerts}


def _due_before_the_change(deps: Deps, existing: dict[str, Any], changes: dict[str, Any]) -> list[Alert]:
    """The alerts a change of follows or digest mode would make due at once: those that fell
    due before it (since the subscription began) and that the subscription as it was did not
    have due (a newly followed model's lead day last week, a digest of days already sent in
    real time)."""
    changed = {**existing, **changes}
    if "kinds" in changes:
        changed["kinds"] = sorted(set(changes["kinds"]))
    tracker = load_tracker(deps.store.db, [existing])
    before = _due_now(deps, existing, tracker)
    return [alert for key, alert in _due_now(deps, changed, tracker).items() if key not in before]


def _change(deps: Deps, user_id: str, **changes: Any) -> dict[str, Any]:
    """Save the person's subscription with `changes`; from now on: what they would bring that
    fell due before is recorded in the ledger as skipped, in the same transaction, so no
    sweep sends it late."""
    db = deps.store.db
    with db.atomic():
        existing = get_subscription(db, _target_type(user_id), user_id)
        earlier = _due_before_the_change(deps, existing, changes) if existing else []
        saved = _save(deps, user_id, existing, **changes)
        if earlier:
            skips = [(row, SKIP_BEFORE_FOLLOWING) for row in Alert.ledger_values_of(earlier)]
            claim_alerts(db, [], skips, token=f"follow:{user_id}", now=deps.clock.now())
    return saved


def sync_subscription(deps: Deps, user_id: str) -> dict[str, Any] | None:
    """The person's DM subscription, made from their follows (None: they follow nothing).
    Following starts from now (see _change)."""
    db = deps.store.db
    follows = list_follows(db, user_id)
    if not follows:
        delete_subscription(db, _target_type(user_id), user_id)
        return None
    chosen = {what: sorted(f["value"] for f in follows if f["what"] == what) for what in FOLLOW_WHATS}
    return _change(
        deps,
        user_id,
        kinds=chosen["kind"] or list(SUBSCRIBABLE_KINDS),
        developer_filter=chosen["developer"] or None,
        model_filter=chosen["model"] or None,
    )


def _set_mode(deps: Deps, user_id: str, mode: str) -> Reply:
    existing = get_subscription(deps.store.db, _target_type(user_id), user_id)
    if existing is None:
        return Reply(
            text="You follow nothing yet: `/aireview follow meta` first, then choose how they arrive."
        )
    _change(deps, user_id, digest=mode)
    return Reply(text=f"Your followed alerts now arrive as: {DIGEST_MODES[mode]} (status changes and news).")


def run_follow(deps: Deps, request: CommandRequest) -> Reply:
    if not _follows_here(request):
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
    if not _follows_here(request):
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


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _brings(kinds: set[str], phrases: tuple[tuple[str, str], ...], **names: str) -> list[str]:
    return [phrase.format(**names) for kind, phrase in phrases if kind in kinds]


# What each follow brings, by alert kind; the kinds followed (all when none) pick among them.
DEVELOPER_BRINGS = (
    (KIND_WINDOW, "its models' review windows opening (submission due)"),
    (KIND_RELEASE, "their planned releases approaching"),
    (KIND_OVERDUE, "their overdue submissions"),
    (KIND_STATUS, "its agreement-status and its models' review-status changes"),
    (KIND_DEVELOPMENT, "developments naming it"),
)
MODEL_BRINGS = (
    (KIND_WINDOW, "its review window opening (submission due)"),
    (KIND_RELEASE, "its planned release approaching"),
    (KIND_OVERDUE, "its submission overdue"),
    (KIND_STATUS, "its review-status changes"),
)
MODEL_DEVELOPER_BRINGS = (
    (KIND_STATUS, "{developer}'s agreement-status changes"),
    (KIND_DEVELOPMENT, "developments naming {developer}"),
)
FRAMEWORK_BRINGS = (
    (KIND_DEADLINE, "deadlines approaching"),
    (KIND_DEVELOPMENT, "developments naming no developer"),
    (KIND_NEWS, "news"),
)
NOTHING = "nothing among the kinds you follow"


def following_lines(deps: Deps, follows: list[dict[str, Any]], kinds: set[str]) -> list[str]:
    """One line per follow saying what it brings with `kinds`, then what comes with any follow."""
    lines = []
    developers = {f["value"] for f in follows if f["what"] == "developer"}
    models = followed_models(deps.store.db, [f["value"] for f in follows if f["what"] == "model"])
    for follow in follows:
        label = safe(follow["label"], 150)
        if follow["what"] == "developer":
            parts = _brings(kinds, DEVELOPER_BRINGS)
            lines.append(f"• {label} (developer): " + (_listed(parts) if parts else NOTHING))
        elif follow["what"] == "model":
            model = models.get(follow["value"])
            if model is None:
                lines.append(f"• {label} (model): no longer tracked, so nothing comes")
                continue
            developer = safe(model["developer"], 100)
            parts = _brings(kinds, MODEL_BRINGS)
            if model["developer_id"] in developers:
                also = f" (and every other {developer} model: you follow {developer})"
            else:
                parts += _brings(kinds, MODEL_DEVELOPER_BRINGS, developer=developer)
                also = f" (not {developer}'s other models)"
            lines.append(f"• {label} (model): " + (_listed(parts) + also if parts else NOTHING))
    chosen = [safe(f["label"], 150) for f in follows if f["what"] == "kind"]
    if chosen:
        lines.append("• Alert kinds: " + ", ".join(chosen) + " (only these kinds arrive)")
    if len(chosen) == len(follows):
        lines.append("• About every developer and model: you follow no developer or model")
    else:
        framework = _brings(kinds, FRAMEWORK_BRINGS)
        if framework:
            lines.append(f"With any follow: {_listed(framework)} (they concern the whole framework).")
    return lines


def run_following(deps: Deps, request: CommandRequest) -> Reply:
    if not _follows_here(request):
        return Reply(text=SLACK_ONLY)
    follows = list_follows(deps.store.db, request.user_id)
    if not follows:
        return Reply(
            text="You follow nothing. `/aireview follow meta` (a developer, a model or a kind) starts."
        )
    sub = get_subscription(deps.store.db, _target_type(request.user_id), request.user_id)
    kinds = set(sub["kinds"]) if sub else set(SUBSCRIBABLE_KINDS)
    lines = following_lines(deps, follows, kinds)
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
