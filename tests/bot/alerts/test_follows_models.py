"""Following a model brings the alerts about that model and its developer's status changes,
not the alerts about the developer's other models (unless the developer is followed too);
the kinds followed apply on top; the sweep's SQL-chosen rows plan what a full computation
plans; follows made before this meaning are moved to it by migration m019.

Real sweep, real SQLite, the Slack emulator; time from the injected clock."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from slack_bolt import App

from bot.alerts.fastplan import plan_alerts
from bot.alerts.follows import SKIP_BEFORE_FOLLOWING
from bot.alerts.rules import SubjectFilter
from bot.alerts.sweep_plan import load_tracker, plan_sweep
from bot.alerts.updates import send_updates
from bot.clock import FixedClock
from bot.deps import Deps
from storage.alerts import get_subscription, known_keys, list_subscriptions
from storage.db import connect, open_store
from storage.migrations import migrations
from storage.tracker import create_record, get_record, update_record
from tests.bot.alerts.test_follows import DM, MEMBER, follow
from tests.conftest import ADMIN_ID
from tests.support.alerts import alert_keys, emulator_sender, ledger, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

# Both planned for Wed Sep 2, 2026: their review windows open Mon Aug 3 (submission due), so
# the 7-day alerts are due Mon Jul 27, the 3-day ones Thu Jul 30, the release's 30-day ones Aug 3.
PLANNED = "2026-09-02"


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def two_xai_models(deps: Deps) -> tuple[str, str]:
    ids = []
    for name in ("Grok 6", "Grok 7"):
        row = create_record(
            deps.store.db,
            "model",
            {"developer_id": "xai", "name": name, "planned_release": PLANNED},
            actor=ADMIN_ID,
            at=deps.clock.now(),
        )
        ids.append(str(row["id"]))
    return ids[0], ids[1]


def change(deps: Deps, entity: str, record_id: str, values: dict[str, Any], at: datetime) -> None:
    update_record(
        deps.store.db, entity, record_id, values, actor=ADMIN_ID, at=at, source="https://example.org/news"
    )


def about(keys: list[str], subject: str) -> list[str]:
    return [k for k in keys if k.split("|")[1] == subject]


def history_subject(deps: Deps, key: str) -> tuple[str, str]:
    """(entity, id) of the history row a status alert's key names."""
    row = deps.store.db.execute(
        "SELECT entity, entity_id FROM history WHERE id = ?", [int(key.split("|")[1].split(":")[1])]
    ).fetchone()
    return str(row[0]), str(row[1])


def test_a_model_follow_brings_that_model_and_its_developers_status_not_its_siblings(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    grok6, grok7 = two_xai_models(deps)
    assert follow(bolt_app, slack_emulator, "follow model:grok 6", "r1").startswith(
        "You now follow xAI / Grok 6."
    )
    sub = get_subscription(deps.store.db, "slack", MEMBER)
    assert sub is not None and (sub["developer_filter"], sub["model_filter"]) == (None, [grok6])

    # Mon Jul 27: the 7-day window alerts of both models fall due; only Grok 6's comes.
    monday = local(deps, date(2026, 7, 27))
    sweep(deps, slack_emulator, monday)
    keys = alert_keys(slack_emulator, DM)
    assert keys == [f"window_opens|model:{grok6}|2026-08-03|7|slack:{MEMBER}"]
    assert "Grok 6" in slack_emulator.messages[DM][0]["text"]
    assert sweep(deps, slack_emulator, monday + timedelta(minutes=5)).sent == []

    # xAI's agreement status changes (it decides whether Grok 6 is reviewed): one DM. Grok 7's
    # review status changes: none. Grok 6's: one.
    change(deps, "developer", "xai", {"status": "negotiating"}, monday + timedelta(hours=1))
    change(deps, "model", grok7, {"review_status": "submitted"}, monday + timedelta(hours=2))
    change(deps, "model", grok6, {"review_status": "in_review"}, monday + timedelta(hours=3))
    sweep(deps, slack_emulator, monday + timedelta(hours=4))
    status_keys = [k for k in alert_keys(slack_emulator, DM) if k.startswith("status|")]
    assert [history_subject(deps, k) for k in status_keys] == [("developer", "xai"), ("model", grok6)]
    assert len(alert_keys(slack_emulator, DM)) == 3

    # Following xAI too brings Grok 7 from now on: its 7-day alert, due before, is not sent late.
    clock.set(local(deps, date(2026, 7, 28), 10))
    assert follow(bolt_app, slack_emulator, "follow xai", "r2").startswith("You now follow xAI.")
    late = f"window_opens|model:{grok7}|2026-08-03|7|slack:{MEMBER}"
    assert (ledger(deps)[late]["status"], ledger(deps)[late]["last_error"]) == (
        "skipped",
        SKIP_BEFORE_FOLLOWING,
    )
    # (The deadline's 3-day alert fell due this morning under the earlier follows: it still comes.)
    assert sweep(deps, slack_emulator, clock.now() + timedelta(minutes=5)).sent == [
        f"deadline|deadline:1|2026-07-31|3|slack:{MEMBER}"
    ]
    # Fri Jul 31: the windows open on Monday (the 1-day alerts, moved off the weekend): both.
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 31)))
    keys = alert_keys(slack_emulator, DM)
    assert about(keys, f"model:{grok6}")[-1] == f"window_opens|model:{grok6}|2026-08-03|1|slack:{MEMBER}"
    assert about(keys, f"model:{grok7}") == [f"window_opens|model:{grok7}|2026-08-03|1|slack:{MEMBER}"]
    assert len(keys) == len(set(keys))  # one DM per alert

    # Unfollowing both: nothing more.
    clock.set(local(deps, date(2026, 7, 31), 10))
    follow(bolt_app, slack_emulator, "unfollow xai", "r3")
    assert follow(bolt_app, slack_emulator, "unfollow model:grok 6", "r4") == (
        "You no longer follow xAI / Grok 6, and follow nothing now: no more direct messages."
    )
    before = len(alert_keys(slack_emulator, DM))
    change(deps, "developer", "xai", {"status": "signed"}, local(deps, date(2026, 8, 3), 11))
    assert sweep(deps, slack_emulator, local(deps, date(2026, 8, 19))).sent == []  # 14 days before
    assert len(alert_keys(slack_emulator, DM)) == before


def test_kinds_apply_on_top_of_a_model_follow(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    grok6, _ = two_xai_models(deps)
    follow(bolt_app, slack_emulator, "follow model:grok 6", "r1")
    follow(bolt_app, slack_emulator, "follow releases", "r2")
    change(deps, "developer", "xai", {"status": "holdout"}, deps.clock.now() + timedelta(minutes=1))
    # Jul 31: no window, status or deadline alert.
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 31))).sent == []
    sweep(deps, slack_emulator, local(deps, date(2026, 8, 3)))  # 30 days before the release
    assert alert_keys(slack_emulator, DM) == [f"release|model:{grok6}|{PLANNED}|30|slack:{MEMBER}"]


def test_digest_mode_collects_the_model_and_its_developer_not_the_sibling(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    grok6, grok7 = two_xai_models(deps)
    follow(bolt_app, slack_emulator, "follow model:grok 6", "r1")
    follow(bolt_app, slack_emulator, "follow daily", "r2")
    sub = get_subscription(deps.store.db, "slack", MEMBER)
    assert sub is not None and sub["digest"] == "daily" and sub["model_filter"] == [grok6]
    now = clock.now()
    change(deps, "model", grok7, {"review_status": "submitted"}, now + timedelta(minutes=1))
    change(deps, "developer", "xai", {"status": "holdout"}, now + timedelta(minutes=2))
    change(deps, "model", grok6, {"review_status": "submitted"}, now + timedelta(minutes=3))
    assert sweep(deps, slack_emulator, now + timedelta(minutes=5)).sent == []
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 27)))  # Saturday's digest, after the quiet weekend
    [key] = [k for k in alert_keys(slack_emulator, DM) if k.startswith("digest|")]
    assert key == f"digest|digest:daily|2026-07-25|-|slack:{MEMBER}"
    [text] = [m["text"] for m in slack_emulator.messages[DM] if m["metadata"]["event_payload"]["key"] == key]
    assert "2 update(s)" in text
    digest = json.loads(ledger(deps)[key]["payload"])["facts"]["items"]
    assert [item["title"] for item in digest] == [
        "xAI: agreement status changed from Signed to Holdout",
        "xAI / Grok 6: review status changed from Not submitted to Submitted",
    ]


def test_following_says_what_each_follow_brings(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    two_xai_models(deps)
    follow(bolt_app, slack_emulator, "follow model:grok 6", "r1")
    follow(bolt_app, slack_emulator, "follow meta", "r2")
    assert follow(bolt_app, slack_emulator, "following", "r3") == (
        "You follow:\n"
        "• Meta (developer): its models' review windows opening (submission due), their planned "
        "releases approaching, their overdue submissions, its agreement-status and its models' "
        "review-status changes and developments naming it\n"
        "• xAI / Grok 6 (model): its review window opening (submission due), its planned release "
        "approaching, its submission overdue, its review-status changes, xAI's agreement-status "
        "changes and developments naming xAI (not xAI's other models)\n"
        "With any follow: deadlines approaching, developments naming no developer and news "
        "(they concern the whole framework).\n"
        "They arrive as direct messages: Real-time for status changes and news."
    )
    follow(bolt_app, slack_emulator, "follow xai", "r4")
    follow(bolt_app, slack_emulator, "follow release", "r5")
    assert follow(bolt_app, slack_emulator, "following", "r6") == (
        "You follow:\n"
        "• Meta (developer): their planned releases approaching\n"
        "• xAI (developer): their planned releases approaching\n"
        "• xAI / Grok 6 (model): its planned release approaching (and every other xAI model: "
        "you follow xAI)\n"
        "• Alert kinds: Release approaching (only these kinds arrive)\n"
        "They arrive as direct messages: Real-time for status changes and news."
    )


# ---------------------------------------------------------------- the planner's two paths


def test_the_sweeps_sql_chosen_rows_plan_what_a_full_computation_plans(
    deps: Deps, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    # The filter is applied in Python (bot/alerts/rules.py); the sweep reads rows in SQL by cursor, date
    # range and owner (bot/alerts/sweep.py load_due_tracker). At each step the incremental plan
    # must equal the plan computed from the whole tracker, for every kind of filter.
    grok6, grok7 = two_xai_models(deps)
    start = clock.now()
    subscribe(deps, start, channel="UFOLLOWS01", developer_filter=None, model_filter=[grok6])
    subscribe(deps, start, channel="UFOLLOWS02", developer_filter=["meta"], model_filter=[grok7])
    subscribe(deps, start, channel="UFOLLOWS03", developer_filter=["xai"], model_filter=[grok6])
    subscribe(deps, start, channel="C0ALERTS1")  # a channel: everything
    subscribe(deps, start, channel="UFOLLOWS04", model_filter=[grok6], digest="daily")
    steps: list[tuple[datetime, tuple[str, str, dict[str, Any]] | None]] = [
        (local(deps, date(2026, 7, 24), 11), ("developer", "xai", {"status": "holdout"})),
        (local(deps, date(2026, 7, 25), 9), ("model", grok7, {"review_status": "submitted"})),
        (local(deps, date(2026, 7, 27), 9), ("developer", "meta", {"status": "signed"})),
        (local(deps, date(2026, 7, 28), 9), ("model", grok6, {"planned_release": "2026-09-09"})),
        (local(deps, date(2026, 7, 30), 9), None),
        (local(deps, date(2026, 8, 3), 9), ("model", grok6, {"review_status": "in_review"})),
        (local(deps, date(2026, 8, 10), 9), None),
    ]
    planned = 0
    for at, edit in steps:
        if edit is not None:
            change(deps, edit[0], edit[1], edit[2], at - timedelta(minutes=30))
        subs = list_subscriptions(deps.store.db)
        incremental = plan_sweep(deps.store.db, subs, at, deps.settings).plan
        full = plan_alerts(
            load_tracker(deps.store.db, subs), subs, lambda k: known_keys(deps.store.db, k), at, deps.settings
        )
        assert sorted(a.key for a in incremental.send) == sorted(a.key for a in full.send), at
        assert sorted(a.key for a, _ in incremental.skip) == sorted(a.key for a, _ in full.skip), at
        planned += len(full.send)
        sweep(deps, slack_emulator, at)
    assert planned > 10
    # And what each filter let through, as the rule says.
    sent = list(ledger(deps))
    only6 = [k for k in sent if k.endswith("|slack:UFOLLOWS01") and "|model:" in k]
    assert only6 and all(f"|model:{grok6}|" in k for k in only6)
    meta_and7 = [k for k in sent if k.endswith("|slack:UFOLLOWS02") and "|model:" in k]
    assert meta_and7 and all(f"|model:{grok7}|" in k for k in meta_and7)


def test_the_filter_rule() -> None:
    owners = {"6": "xai", "7": "xai", "1": "meta"}
    everything = SubjectFilter.of({"developer_filter": None, "model_filter": None})
    grok6 = SubjectFilter.of({"developer_filter": None, "model_filter": ["6"]})
    meta_grok6 = SubjectFilter.of({"developer_filter": ["meta"], "model_filter": ["6"]})
    assert everything.passes_model("7", "xai") and everything.passes_developer("openai", owners)
    assert grok6.passes_model("6", "xai") and not grok6.passes_model("7", "xai")
    assert grok6.passes_developer("xai", owners) and not grok6.passes_developer("meta", owners)
    assert meta_grok6.passes_model("1", "meta") and not meta_grok6.passes_model("7", "xai")
    assert meta_grok6.passes_developer("meta", owners) and meta_grok6.passes_developer("xai", owners)
    assert not meta_grok6.passes_developer("openai", owners)


# ---------------------------------------------------------------- upgrade


def test_model_follows_made_before_m019_get_the_new_meaning_and_keep_their_state(tmp_path: Path) -> None:
    path = tmp_path / "reviewwatch.db"
    old = connect(path)
    migrations.apply(old, stop_before="m019_model_follows")
    stamp = "2026-07-20T14:00:00+00:00"
    with old.atomic():
        old.execute(
            "INSERT INTO developers (id, name, status, created_at, updated_at, updated_by)"
            " VALUES ('xai', 'xAI', 'signed', ?, ?, 'seed'), ('meta', 'Meta', 'holdout', ?, ?, 'seed')",
            [stamp] * 4,
        )
        old.execute(
            "INSERT INTO models (id, developer_id, name, created_at, updated_at, updated_by)"
            " VALUES (6, 'xai', 'Grok 6', ?, ?, 'seed'), (7, 'xai', 'Grok 7', ?, ?, 'seed')",
            [stamp] * 4,
        )
        for user, what, value in (
            ("UPERSON01", "model", "6"),
            ("UPERSON01", "developer", "meta"),
            ("UPERSON02", "developer", "xai"),
        ):
            old.execute(
                "INSERT INTO follows (user_id, what, value, label, created_at) VALUES (?, ?, ?, ?, ?)",
                [user, what, value, value, stamp],
            )
        # What sync_subscription wrote then: the model's developer in the developer filter.
        for user, developers in (("UPERSON01", '["meta", "xai"]'), ("UPERSON02", '["xai"]')):
            old.execute(
                "INSERT INTO subscriptions (target_type, target, kinds, lead_days, digest, developer_filter,"
                " since_history_id, since_news_id, created_by, created_at, updated_at, swept_at,"
                " swept_history_id, swept_news_id, swept_settings) VALUES ('slack', ?, '[\"status\"]',"
                " '[7]', 'daily', ?, 3, 2, ?, ?, ?, ?, 9, 4, 'cursor')",
                [user, developers, user, stamp, stamp, stamp],
            )
        old.execute(
            "INSERT INTO alert_ledger (key, kind, subject_type, subject_id, target_type, target, due_at,"
            " status, created_at)"
            " VALUES ('k1', 'status', 'history', '8', 'slack', 'UPERSON01', ?, 'sent', ?)",
            [stamp, stamp],
        )
    before = {r["target"]: r for r in old.query("SELECT * FROM subscriptions")}
    old.conn.close()

    store = open_store(path)  # start-up: migrate
    try:
        after = {r["target"]: r for r in store.db.query("SELECT * FROM subscriptions")}
        person = after["UPERSON01"]
        assert (person["developer_filter"], person["model_filter"]) == ('["meta"]', '["6"]')
        kept = {k: v for k, v in before["UPERSON01"].items() if k != "developer_filter"}
        assert {k: person[k] for k in kept} == kept  # digest, cursors, start: unchanged
        assert after["UPERSON02"] == {**before["UPERSON02"], "model_filter": None}  # no model follow
        assert [r["key"] for r in store.db.query("SELECT key FROM alert_ledger")] == ["k1"]
        [sub] = [s for s in list_subscriptions(store.db) if s["target"] == "UPERSON01"]
        assert SubjectFilter.of(sub).passes_developer("xai", {"6": "xai"})
        assert not SubjectFilter.of(sub).passes_model("7", "xai")
        record = get_record(store.db, "model", "7")
        assert record is not None and record["name"] == "Grok 7"
    finally:
        store.close()


def test_a_sent_alert_about_a_followed_model_is_updated_in_place_in_the_dm(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    grok6, grok7 = two_xai_models(deps)
    follow(bolt_app, slack_emulator, "follow model:grok 6", "r1")
    monday = local(deps, date(2026, 7, 27))
    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}
    sweep(deps, slack_emulator, monday, senders=senders)
    send_updates(deps, now=monday, senders=senders)  # the first run starts the updates' cursor
    [alert] = slack_emulator.messages[DM]

    later = monday + timedelta(hours=2)
    change(deps, "model", grok6, {"planned_release": "2026-09-09"}, later)
    change(deps, "model", grok7, {"planned_release": "2026-09-16"}, later)
    result = send_updates(deps, now=later + timedelta(minutes=5), senders=senders)
    assert len(result.edited) == 1 and len(result.sent) == 1
    [edit] = slack_emulator.calls_to("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == (DM, alert["ts"])
    assert "planned release moved from Wed Sep 2, 2026 to Wed Sep 9, 2026" in json.dumps(edit.args)
    [reply] = [m for m in slack_emulator.messages[DM] if m.get("thread_ts") == alert["ts"]]
    assert "Grok 7" not in json.dumps(slack_emulator.messages[DM])


def test_switching_to_a_digest_does_not_send_again_what_came_in_real_time(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    follow(bolt_app, slack_emulator, "follow xai", "r1")
    change(deps, "developer", "xai", {"status": "holdout"}, clock.now() + timedelta(minutes=1))
    [sent] = sweep(deps, slack_emulator, clock.now() + timedelta(minutes=5)).sent
    assert sent.startswith("status|")

    clock.set(local(deps, date(2026, 7, 27), 10))  # the digests of Jul 25-27 would hold it
    follow(bolt_app, slack_emulator, "follow daily", "r2")
    assert sweep(deps, slack_emulator, clock.now() + timedelta(minutes=5)).sent == []
    change(deps, "developer", "xai", {"status": "signed"}, clock.now() + timedelta(hours=1))
    sent_then = sweep(deps, slack_emulator, local(deps, date(2026, 7, 28))).sent
    assert [k for k in sent_then if not k.startswith("deadline|")] == [
        f"digest|digest:daily|2026-07-28|-|slack:{MEMBER}"
    ]
    [digest] = [m for m in slack_emulator.messages[DM] if "update(s)" in m["text"]]
    assert "1 update(s)" in digest["text"]
