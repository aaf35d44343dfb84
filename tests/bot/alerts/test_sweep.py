"""The alert sweep end to end: injected clock, real SQLite file, the real WebClient over HTTP
to the Slack emulator. Each alert reaches a channel once, at the right time."""

from __future__ import annotations

import json
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.alerts.alert import SKIP_CATCH_UP, SKIP_SUPERSEDED, Alert
from bot.alerts.sending import Outcome
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import last_sweep, run_sweep
from bot.deps import Deps
from storage.alerts import STATUS_CLAIMED, STATUS_SENT, STATUS_SKIPPED
from storage.tracker import create_record, list_deadlines, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import (
    CHANNEL,
    OTHER_CHANNEL,
    SleepRecorder,
    alert_keys,
    emulator_sender,
    ledger,
    subscribe,
    sweep,
)
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def deadline_id(deps: Deps) -> str:
    return str(list_deadlines(deps.store.db)[0]["id"])  # the seeded July 31 deadline


def lead_of(key: str) -> int:
    return int(key.split("|")[3])


def add_model(deps: Deps, planned: str, name: str = "Llama 5") -> dict[str, Any]:
    return create_record(
        deps.store.db,
        "model",
        {
            "developer_id": "meta",
            "name": name,
            "planned_release": planned,
            "source": "https://example.com/meta-llama-5",
        },
        actor=ADMIN_ID,
        at=JUNE_1,
    )


def test_each_lead_time_fires_once_at_the_delivery_time(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    fired: dict[str, datetime] = {}
    day = date(2026, 6, 28)
    while day <= date(2026, 8, 2):
        for hour, minute in ((8, 59), (9, 0), (9, 5), (17, 30)):
            at = local(deps, day, hour, minute)
            before = len(alert_keys(slack_emulator))
            sweep(deps, slack_emulator, at)
            fired.update({k: at for k in alert_keys(slack_emulator)[before:]})
        day += timedelta(days=1)

    keys = alert_keys(slack_emulator)
    assert len(keys) == len(set(keys)) == 6
    assert {lead_of(k): fired[k] for k in keys} == {
        30: local(deps, date(2026, 7, 1)),
        14: local(deps, date(2026, 7, 17)),
        7: local(deps, date(2026, 7, 24)),
        3: local(deps, date(2026, 7, 28)),
        1: local(deps, date(2026, 7, 30)),
        0: local(deps, date(2026, 7, 31)),
    }
    texts = [m["text"] for m in slack_emulator.messages[CHANNEL]]
    assert texts[2].startswith("Deadline in 7 days: Formal pre-release review process")
    assert texts[5].startswith("Deadline today:")
    assert all(r["status"] == STATUS_SENT for r in ledger(deps).values())


def test_delivery_time_holds_across_the_daylight_saving_change(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    # US clocks go back on Sunday 2026-11-01: 09:00 New York is 13:00 UTC before, 14:00 after.
    create_record(
        deps.store.db,
        "deadline",
        {"title": "Comment period closes", "due_date": "2026-11-03"},
        actor=ADMIN_ID,
        at=JUNE_1,
    )
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 1])
    fired = {}
    at = datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
    while at < datetime(2026, 11, 4, tzinfo=UTC):
        before = len(alert_keys(slack_emulator))
        sweep(deps, slack_emulator, at)
        fired.update({lead_of(k): at for k in alert_keys(slack_emulator)[before:]})
        at += timedelta(minutes=30)
    assert fired == {
        7: datetime(2026, 10, 27, 13, 0, tzinfo=UTC),  # 09:00 EDT
        1: datetime(2026, 11, 2, 14, 0, tzinfo=UTC),  # 09:00 EST
    }


def test_a_moved_date_makes_new_alerts_and_the_old_ones_stop(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, lead_days=[14, 7, 0])
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    assert [lead_of(k) for k in alert_keys(slack_emulator)] == [7]

    update_record(
        deps.store.db,
        "deadline",
        deadline_id(deps),
        {"due_date": "2026-08-14"},
        actor=ADMIN_ID,
        at=local(deps, date(2026, 7, 24), 10),
    )
    for day in (date(2026, 7, 24), date(2026, 7, 31), date(2026, 8, 14)):
        sweep(deps, slack_emulator, local(deps, day, 10, 5))
    keys = alert_keys(slack_emulator)
    assert [(k.split("|")[2], lead_of(k)) for k in keys] == [
        ("2026-07-31", 7),
        ("2026-08-14", 14),
        ("2026-08-14", 0),
    ]
    assert "in 14 days" in slack_emulator.messages[CHANNEL][1]["text"]


def test_a_past_date_gets_no_approaching_alert(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    result = sweep(deps, slack_emulator, local(deps, date(2026, 8, 3)))  # July 31 has passed
    assert result.sent == [] and alert_keys(slack_emulator) == []


def test_catch_up_after_two_weeks_down_sends_one_alert_per_subject_and_target(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    add_model(deps, "2026-08-20")  # review window opened July 21; not submitted
    for channel in (CHANNEL, OTHER_CHANNEL):
        subscribe(deps, local(deps, date(2026, 7, 10), 10), channel=channel)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 10), 10, 5))
    assert alert_keys(slack_emulator) == []

    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 28), 10))  # 18 days later
    for channel in (CHANNEL, OTHER_CHANNEL):
        keys = alert_keys(slack_emulator, channel)
        assert sorted(k.split("|")[0] + "|" + k.split("|")[3] for k in keys) == ["deadline|3", "overdue|-"]
    texts = [m["text"] for m in slack_emulator.messages[CHANNEL]]
    assert any(t.startswith("Not submitted, review window open: Meta Llama 5") for t in texts)
    skipped = {k: r for k, r in ledger(deps).items() if r["status"] == STATUS_SKIPPED}
    # Deadline leads 14 and 7 and the release's lead 30, for each channel (the window
    # opening itself is past, so it gets no approaching alert).
    assert len(skipped) == len(result.skipped) == 6
    assert {r["last_error"] for r in skipped.values()} == {SKIP_CATCH_UP}

    again = sweep(deps, slack_emulator, local(deps, date(2026, 7, 28), 10, 5))
    assert again.sent == [] and again.skipped == []


def test_a_run_repeated_at_the_same_instant_sends_nothing_new(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    first = sweep(deps, slack_emulator, at)
    rows = ledger(deps)
    second = sweep(deps, slack_emulator, at)
    assert len(first.sent) == 1 and second.sent == [] and second.skipped == []
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1
    assert ledger(deps) == rows


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs."""


class CrashAfterPost(SlackSender):
    def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Outcome:
        super().send(alert, now, check_existing=check_existing)
        raise SimulatedCrash  # after Slack took the post, before the ledger heard of it


def test_a_crash_between_post_and_ledger_update_never_posts_twice(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    crashing = CrashAfterPost(
        emulator_sender(slack_emulator, deps.settings).client, deps.settings, min_interval=0
    )
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=at, senders={"slack": crashing})
    [key] = alert_keys(slack_emulator)
    assert ledger(deps)[key]["status"] == STATUS_CLAIMED
    posted_ts = slack_emulator.messages[CHANNEL][0]["ts"]

    # Restarted: within the claim's lease nothing is touched; after it, the retry finds the post.
    assert sweep(deps, slack_emulator, at + timedelta(minutes=5)).sent == []
    result = sweep(deps, slack_emulator, at + timedelta(minutes=20))
    assert result.already_posted == [key] and result.sent == []
    assert alert_keys(slack_emulator) == [key]
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1
    history = slack_emulator.last("conversations.history").args
    assert history["channel"] == CHANNEL and history["include_all_metadata"] in ("1", "true", True)
    row = ledger(deps)[key]
    assert (row["status"], row["message_ts"]) == (STATUS_SENT, posted_ts)


def test_a_claim_that_died_before_posting_is_posted_once_on_restart(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    class CrashBeforePost(SlackSender):
        def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Outcome:
            raise SimulatedCrash

    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    client = emulator_sender(slack_emulator, deps.settings).client
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=at, senders={"slack": CrashBeforePost(client, deps.settings)})
    assert alert_keys(slack_emulator) == []
    result = sweep(deps, slack_emulator, at + timedelta(minutes=20))
    assert len(result.sent) == 1 and len(alert_keys(slack_emulator)) == 1


def test_429_with_retry_after_then_success_delivers_once(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    slack_emulator.fail("chat.postMessage", retry_after=7)
    sleep = SleepRecorder()
    result = sweep(
        deps,
        slack_emulator,
        local(deps, date(2026, 7, 24)),
        senders={"slack": emulator_sender(slack_emulator, deps.settings, sleep)},
    )
    assert len(result.sent) == 1
    assert 7 in sleep.waits  # Retry-After honoured
    assert len(slack_emulator.calls_to("chat.postMessage")) == 2
    assert len(alert_keys(slack_emulator)) == 1


def test_500s_are_retried_in_the_call_and_across_sweeps(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    slack_emulator.fail("chat.postMessage", status=500, times=2)
    assert len(sweep(deps, slack_emulator, at).sent) == 1  # third try in the same call

    # The 3-day alert, on Tuesday Jul 28 (a date move the same day would be told by the update).
    at = local(deps, date(2026, 7, 28)) - timedelta(minutes=1)
    slack_emulator.fail("chat.postMessage", status=500, times=20)
    result = sweep(deps, slack_emulator, at + timedelta(minutes=1))
    [(key, error)] = result.failed
    assert "HTTP 500" in error
    row = ledger(deps)[key]
    assert row["status"] == "failed" and row["next_attempt_at"] == "2026-07-28T13:05:00+00:00"
    slack_emulator.reset()
    assert sweep(deps, slack_emulator, at + timedelta(minutes=3)).sent == []  # not yet
    assert sweep(deps, slack_emulator, at + timedelta(minutes=6)).sent == [key]
    assert alert_keys(slack_emulator) == [key]
    assert ledger(deps)[key]["attempts"] == 2


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"])
def test_permanent_slack_errors_are_recorded_and_not_retried(
    deps: Deps, slack_emulator: SlackEmulator, error: str
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    slack_emulator.fail("chat.postMessage", error=error)
    result = sweep(deps, slack_emulator, at)
    [(key, recorded)] = result.permanent
    assert recorded == error
    assert ledger(deps)[key]["status"] == "permanent"
    sweep(deps, slack_emulator, at + timedelta(hours=2))
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1
    assert last_sweep(deps.store.db)["permanent"] == 0  # the later sweep had nothing to do


def test_unsubscribed_channels_get_nothing_and_pending_retries_are_dropped(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    from storage.alerts import delete_subscription

    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    slack_emulator.fail("chat.postMessage", status=500, times=20)
    [(key, _)] = sweep(deps, slack_emulator, at).failed
    delete_subscription(deps.store.db, "slack", CHANNEL)
    slack_emulator.reset()
    result = sweep(deps, slack_emulator, at + timedelta(hours=1))
    assert result.sent == [] and [k for k, _ in result.skipped] == [key]
    assert slack_emulator.calls_to("chat.postMessage") == []


def test_status_change_through_the_tracker_reaches_subscribed_channels(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, channel=CHANNEL, kinds=["status"])
    subscribe(deps, JUNE_1, channel=OTHER_CHANNEL, kinds=["status"], developer_filter=["openai"])
    now = deps.clock.now()
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor=ADMIN_ID,
        at=now,
        source="https://example.gov/meta-signs",
        note="Meta signed the agreement.",
    )
    result = sweep(deps, slack_emulator, now + timedelta(minutes=1))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert message["text"].startswith(
        "Status changed: Meta: agreement status changed from Negotiating to Signed"
    )
    body = str(message["blocks"])
    assert "https://example.gov/meta-signs" in body and "Meta signed the agreement." in body
    assert OTHER_CHANNEL not in slack_emulator.messages  # filtered to OpenAI only
    assert sweep(deps, slack_emulator, now + timedelta(minutes=6)).sent == []


def test_digest_subscriptions_get_one_message_per_period(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["status"], digest="daily", delivery_days="every_day")  # Saturday too
    day = date(2026, 7, 24)
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "holdout"},
        actor=ADMIN_ID,
        at=local(deps, day, 11),
        source="https://example.gov/meta",
        effective="2026-07",
    )
    update_record(
        deps.store.db, "developer", "xai", {"status": "negotiating"}, actor=ADMIN_ID, at=local(deps, day, 12)
    )
    assert sweep(deps, slack_emulator, local(deps, day, 12, 5)).sent == []  # held for the digest
    result = sweep(deps, slack_emulator, local(deps, day + timedelta(days=1), 9))
    [key] = result.sent
    assert key.startswith("digest|digest:daily|2026-07-25")
    text = str(slack_emulator.messages[CHANNEL][0]["blocks"])
    assert "Meta: agreement status changed" in text and "xAI: agreement status changed" in text
    # Each item says when it took effect (when known) and cites its source.
    assert "took effect July 2026) · Source: https://example.gov/meta" in text
    assert sweep(deps, slack_emulator, local(deps, day + timedelta(days=2), 9)).sent == []


def test_dry_run_says_what_would_be_sent_and_changes_nothing(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    result = run_sweep(deps, now=local(deps, date(2026, 7, 24)), dry_run=True)
    [planned] = result.planned
    assert planned["target"] == f"slack:{CHANNEL}"
    assert planned["headline"].startswith("Deadline in 7 days")
    assert ledger(deps) == {} and slack_emulator.calls == []
    assert last_sweep(deps.store.db) is None


def test_posts_are_paced_per_channel_and_channels_go_in_parallel(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    slack_emulator.rate_limit_per_channel = 10  # the emulator answers 429 to a faster poster
    for channel in (CHANNEL, OTHER_CHANNEL):
        subscribe(deps, JUNE_1, channel=channel, kinds=["status"])
    now = deps.clock.now()
    for developer, status in (("meta", "signed"), ("xai", "negotiating"), ("openai", "holdout")):
        update_record(deps.store.db, "developer", developer, {"status": status}, actor=ADMIN_ID, at=now)
    # Real pacing (0.12 s here, 1 s in production) against the emulator's real rate limit.
    senders = {
        "slack": emulator_sender(
            slack_emulator, deps.settings, min_interval=0.12, pacing_sleep=time_module.sleep
        )
    }
    result = sweep(deps, slack_emulator, now, senders=senders)
    assert len(result.sent) == 6
    posts = slack_emulator.calls_to("chat.postMessage")
    assert len(posts) == 6 and not any(call.failed for call in posts)  # no 429 needed
    assert len(alert_keys(slack_emulator, CHANNEL)) == len(alert_keys(slack_emulator, OTHER_CHANNEL)) == 3


def test_shutdown_mid_sweep_finishes_the_delivery_in_hand_and_defers_the_rest(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    class StopAfterFirstPost(SlackSender):
        def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Outcome:
            outcome = super().send(alert, now, check_existing=check_existing)
            deps.stopping.set()  # SIGTERM arrives while this post is in flight
            return outcome

    for day in ("2026-07-27", "2026-07-28"):
        create_record(
            deps.store.db,
            "deadline",
            {"title": f"Comments due {day}", "due_date": day, "source": "Federal Register notice"},
            actor=ADMIN_ID,
            at=JUNE_1,
        )
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    client = emulator_sender(slack_emulator, deps.settings).client
    stopping = run_sweep(
        deps, now=at, senders={"slack": StopAfterFirstPost(client, deps.settings, min_interval=0)}
    )
    assert len(stopping.sent) == 1 and len(stopping.deferred) == 2
    assert len(alert_keys(slack_emulator)) == 1
    assert {ledger(deps)[k]["attempts"] for k in stopping.deferred} == {0}

    deps.stopping.clear()  # restarted
    restarted = sweep(deps, slack_emulator, at + timedelta(minutes=1))
    assert sorted(restarted.sent) == sorted(stopping.deferred)
    assert sorted(alert_keys(slack_emulator)) == sorted(stopping.sent + stopping.deferred)


@pytest.mark.parametrize("status", [500, 503])
def test_a_post_slack_kept_despite_answering_5xx_is_not_posted_again(
    deps: Deps, slack_emulator: SlackEmulator, status: int
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    # Slack stores the message, then the answer is lost: the sender must look before reposting.
    slack_emulator.fail("chat.postMessage", status=status, after_applying=True)
    result = sweep(deps, slack_emulator, at)
    assert result.sent == [] and len(result.already_posted) == 1
    assert len(alert_keys(slack_emulator)) == 1
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1
    assert ledger(deps)[result.already_posted[0]]["status"] == STATUS_SENT


def test_after_a_crash_and_two_weeks_down_stale_claims_give_way_to_the_more_urgent_alert(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    class CrashAfterFirstPost(SlackSender):
        def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Outcome:
            outcome = super().send(alert, now, check_existing=check_existing)
            raise SimulatedCrash if slack_emulator.messages.get(CHANNEL) else AssertionError(outcome)

    for day in ("2026-08-01", "2026-08-02"):
        create_record(
            deps.store.db,
            "deadline",
            {"title": f"Comments due {day}", "due_date": day, "source": "Federal Register notice"},
            actor=ADMIN_ID,
            at=JUNE_1,
        )
    subscribe(deps, JUNE_1)
    # July 3: the 30-day alerts of July 31, August 1 and 2 are due; the sweep dies after one post.
    client = emulator_sender(slack_emulator, deps.settings).client
    with pytest.raises(SimulatedCrash):
        run_sweep(
            deps,
            now=local(deps, date(2026, 7, 3), 10),
            senders={"slack": CrashAfterFirstPost(client, deps.settings)},
        )
    stale = {k for k, r in ledger(deps).items() if r["status"] == STATUS_CLAIMED}
    assert len(stale) == 3 and {lead_of(k) for k in stale} == {30}
    before = len(alert_keys(slack_emulator))

    # Two weeks later (a Monday: the weekend is quiet), the 14-day alerts are due too.
    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 20), 10))
    posted = alert_keys(slack_emulator)[before:]
    subjects = [key.split("|")[1] for key in posted]
    assert len(subjects) == len(set(subjects)) == 3  # one alert per deadline, not pairs
    assert {lead_of(key) for key in posted} == {14}
    assert {key for key, reason in result.skipped if reason == SKIP_SUPERSEDED} == stale
    assert {ledger(deps)[key]["status"] for key in stale} == {STATUS_SKIPPED}


def test_a_claimed_alert_reads_back_from_the_ledger_as_it_was_planned(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    add_model(deps, "2026-08-20", name='Llama "5" <b>é</b>')  # quotes, markup and non-ASCII survive
    subscribe(deps, JUNE_1)
    planned = sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)), dry_run=True).attempted
    assert len(planned) >= 2  # the deadline and the model's overdue submission
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    rows = ledger(deps)
    for alert, _ in planned:
        payload = json.dumps({"title": alert.title, "facts": alert.facts}, sort_keys=True)
        assert rows[alert.key]["payload"] == payload
        assert Alert.from_ledger(rows[alert.key]) == alert
