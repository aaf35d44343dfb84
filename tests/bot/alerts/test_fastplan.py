"""The sweep's fast planner plans exactly what the plain rules plan.

Trackers and subscriptions are generated (hypothesis): models and deadlines on varied dates,
review statuses, status changes, developments and news; subscriptions with their kinds,
leads, digest modes, delivery days (business days or every day), quiet hours, developer and
model filters, created at varied times; a ledger holding some of what is due; mutes and
reminders. bot/alerts/fastplan.py `plan_alerts` must send, skip and hold the same alerts, for
the same reasons, with the same contents, as bot/alerts/reference.py `plan_plainly`: once
computing everything, and once after a sweep left its cursors and the tracker changed since
(catch-up after downtime included). Each planned alert, restated from its subject's row as
it goes out (bot/alerts/render.py), stays as planned."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from random import Random
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.alert import (
    KIND_REMINDER,
    SUBSCRIBABLE_KINDS,
    AlertPlan,
    Tracker,
    alert_key,
)
from bot.alerts.cursors import cursor_settings
from bot.alerts.fastplan import plan_alerts
from bot.alerts.reference import plan_plainly
from bot.alerts.render import current
from bot.settings import Settings

DEVELOPERS = ("openai", "anthropic", "xai", "meta")
REVIEW_STATUSES = ("not_submitted", "submitted", "in_review", "cleared", "released", "withdrawn")
DEVELOPER_STATUSES = ("signed", "negotiating", "holdout", "declined")
LEADS = (30, 14, 7, 3, 1, 0)
START = datetime(2026, 6, 1, tzinfo=UTC)  # the generated "now"s fall in the half year after
# Federal holidays in these months (Labor Day, Columbus Day, Veterans Day, Thanksgiving,
# Christmas) make business-day shifts cross more than a weekend.

RULES = settings(max_examples=60, deadline=None, derandomize=True)


def _day(rng: Random, now: datetime, low: int, high: int) -> str:
    return (now.date() + timedelta(days=rng.randint(low, high))).isoformat()


def _at(rng: Random, after: datetime, before: datetime) -> str:
    seconds = max(int((before - after).total_seconds()), 1)
    return (after + timedelta(seconds=rng.randrange(seconds))).isoformat()


def _models(rng: Random, now: datetime) -> list[dict[str, Any]]:
    models = []
    for n in range(rng.randint(0, 9)):
        developer = rng.choice(DEVELOPERS)
        status = rng.choice(REVIEW_STATUSES)
        models.append(
            {
                "id": n + 1,
                "developer_id": developer,
                "developer_name": developer.title(),
                "name": f"Model {n + 1}",
                "planned_release": None if rng.random() < 0.15 else _day(rng, now, -40, 75),
                "review_status": status,
                "submitted": _day(rng, now, -60, 0) if rng.random() < 0.2 else None,
                "released": _day(rng, now, -30, 0) if rng.random() < 0.1 else None,
                "source": "https://example.org/model",
                "contested": rng.random() < 0.2,
                "as_of": "2026-05-30",
                "note": None,
            }
        )
    return models


def _deadlines(rng: Random, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": n + 1,
            "title": f"Deadline {n + 1}",
            "due_date": None if rng.random() < 0.1 else _day(rng, now, -20, 60),
            "kind": "framework",
            "note": None,
            "source": "https://example.org/deadline",
            "contested": rng.random() < 0.2,
            "as_of": "2026-05-30",
        }
        for n in range(rng.randint(0, 5))
    ]


def _history_row(rng: Random, row_id: int, at: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    choice = rng.random()
    if choice < 0.35 or not models:
        developer = rng.choice(DEVELOPERS)
        entity, entity_id, field = "developer", developer, "status"
        old, new = rng.choice(DEVELOPER_STATUSES), rng.choice(DEVELOPER_STATUSES)
    elif choice < 0.6:
        entity, entity_id, field = "event", str(rng.randint(1, 4)), "event"
        old, new = None, "An order was published."
    else:
        model = rng.choice(models)
        entity, entity_id = "model", str(model["id"])
        field = rng.choice(("review_status", "planned_release", "note"))
        old, new = rng.choice(REVIEW_STATUSES), rng.choice(REVIEW_STATUSES)
    return {
        "id": row_id,
        "entity": entity,
        "entity_id": entity_id,
        "subject": f"{entity} {entity_id}",
        "field": field,
        "old": old,
        "new": new,
        "actor": "U0ADMIN01",
        "at": at,
        "effective": None,
        "note": None,
        "source": "https://example.org/history",
    }


def _news_row(rng: Random, row_id: int, at: str) -> dict[str, Any]:
    return {
        "id": row_id,
        "alert": 1 if rng.random() < 0.8 else 0,
        "first_seen_at": at,
        "title": f"News {row_id}",
        "link": f"https://example.org/news/{row_id}",
        "published": None,
        "summary": None,
        "matched": "[]",
        "source": "Example",
        "developers": "[]",
    }


def _subscriptions(rng: Random, now: datetime, models: list[dict[str, Any]], history: int, news: int):
    subs = []
    for n in range(rng.randint(1, 5)):
        kinds = sorted(k for k in SUBSCRIBABLE_KINDS if rng.random() < 0.7) or ["deadline"]
        leads = sorted({lead for lead in LEADS if rng.random() < 0.5} or {7}, reverse=True)
        quiet = rng.choice([None, ("20:00", "08:00"), ("00:00", "23:59"), ("09:00", "17:00")])
        follows_models = rng.random() < 0.25 and models
        created = now - timedelta(minutes=rng.randint(0, 90 * 24 * 60))
        subs.append(
            {
                "id": n + 1,
                "target_type": rng.choice(("slack", "teams")),
                "target": f"C{n:04d}",
                "kinds": kinds,
                "lead_days": leads,
                "digest": rng.choice(("realtime", "realtime", "daily", "weekly")),
                "delivery_days": rng.choice(("business", "every_day", None)),
                "developer_filter": sorted(rng.sample(DEVELOPERS, 2)) if rng.random() < 0.3 else None,
                "model_filter": [str(rng.choice(models)["id"])] if follows_models else None,
                "quiet_start": quiet[0] if quiet else None,
                "quiet_end": quiet[1] if quiet else None,
                "briefing_since": (created + timedelta(days=1)).isoformat() if rng.random() < 0.2 else None,
                "since_history_id": rng.randint(0, history),
                "since_news_id": rng.randint(0, news),
                "created_at": created.isoformat(),
            }
        )
    return subs


def _world(rng: Random, now: datetime) -> tuple[Tracker, list[dict[str, Any]]]:
    """A tracker and subscriptions as they stand at `now`."""
    models, deadlines = _models(rng, now), _deadlines(rng, now)
    past = now - timedelta(days=120)
    changes = sorted((_at(rng, past, now) for _ in range(rng.randint(0, 12))), key=datetime.fromisoformat)
    status_changes = [_history_row(rng, i + 1, at, models) for i, at in enumerate(changes)]
    seen = sorted((_at(rng, past, now) for _ in range(rng.randint(0, 6))), key=datetime.fromisoformat)
    news = [_news_row(rng, i + 1, at) for i, at in enumerate(seen)]
    subs = _subscriptions(rng, now, models, len(status_changes), len(news))
    tracker = Tracker(
        models=models,
        deadlines=deadlines,
        status_changes=status_changes,
        news=news,
        event_developers={str(e): rng.sample(DEVELOPERS, rng.randint(0, 2)) for e in range(1, 5)},
        history_id=len(status_changes),
        news_id=len(news),
    )
    return tracker, subs


def _extras(rng: Random, tracker: Tracker, subs: list[dict[str, Any]], now: datetime) -> None:
    """Mutes in force and "Remind me" rows, some due."""
    for sub in subs:
        if rng.random() < 0.2 and tracker.models:
            model = rng.choice(tracker.models)
            tracker.mutes.append(
                {
                    "target_type": sub["target_type"],
                    "target": sub["target"],
                    "subject_type": "model",
                    "subject_id": str(model["id"]),
                }
            )
    for n in range(rng.randint(0, 2)):
        key = alert_key(KIND_REMINDER, f"reminder:r{n}", None, None, "slack:U0MEMBER1")
        tracker.reminders.append(
            {
                "key": key,
                "payload": json.dumps({"title": "Deadline 1", "facts": {}}),
                "user_id": "U0MEMBER1",
                "channel": "C0000",
                "created_at": (now - timedelta(days=2)).isoformat(),
                "remind_at": (now + timedelta(hours=rng.randint(-30, 30))).isoformat(),
            }
        )


def _settings(rng: Random) -> Settings:
    return Settings(
        timezone_name=rng.choice(("America/New_York", "UTC", "Asia/Tokyo", "America/Los_Angeles")),
        alert_time=rng.choice((time(9, 0), time(0, 30), time(23, 15))),
        review_window_days=rng.choice((30, 14)),
    )


def _now(rng: Random) -> datetime:
    return START + timedelta(minutes=rng.randint(0, 200 * 24 * 60))


def _what(plan: AlertPlan) -> dict[str, Any]:
    """Everything a plan decides, in a comparable form."""
    return {
        "send": [(a.key, a.title, a.due_at, a.facts) for a in plan.send],
        "skip": sorted((a.key, reason) for a, reason in plan.skip),
        "hold": sorted((a.key, until) for a, until in plan.hold),
    }


def _some_of(rng: Random, keys: set[str]) -> set[str]:
    return {key for key in sorted(keys) if rng.random() < 0.5}


@RULES
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_the_fast_plan_is_the_plain_plan(seed: int) -> None:
    rng = Random(seed)
    now, config = _now(rng), _settings(rng)
    tracker, subs = _world(rng, now)
    _extras(rng, tracker, subs, now)
    everything = plan_plainly(tracker, subs, set(), now, config)
    ledger = _some_of(rng, everything.valid)  # sent by earlier sweeps

    plain = plan_plainly(tracker, subs, ledger, now, config)
    fast = plan_alerts(tracker, subs, ledger, now, config)
    assert _what(fast) == _what(plain)
    assert fast.valid == plain.valid
    # and asked as the sweep asks, by a function over the keys
    assert _what(plan_alerts(tracker, subs, lambda keys: ledger & set(keys), now, config)) == _what(plain)
    # Restated from the rows it was planned from, a planned alert is unchanged: so the sweep
    # sends what it planned as it is while the tracker has not moved (bot/alerts/render.py).
    rows = {("model", str(m["id"])): m for m in tracker.models}
    rows.update({("deadline", str(d["id"])): d for d in tracker.deadlines})
    for alert in fast.send:
        if alert.kind != KIND_REMINDER:
            assert current(cast(Any, None), alert, now, config, rows) == alert


def _changed_since(
    rng: Random, tracker: Tracker, swept: datetime, now: datetime
) -> tuple[Tracker, dict[str, int]]:
    """The tracker after some models and deadlines changed, and more status changes and news
    came, between a sweep at `swept` and `now` (each change with its history row)."""
    models = [dict(m) for m in tracker.models]
    deadlines = [dict(d) for d in tracker.deadlines]
    rows = list(tracker.status_changes)
    changed: dict[str, int] = {}
    for _ in range(rng.randint(0, 4)):
        at = _at(rng, swept, now)
        if models and rng.random() < 0.7:
            model = rng.choice(models)
            model["planned_release"] = _day(rng, now, -10, 60)
            model["review_status"] = rng.choice(REVIEW_STATUSES)
            row = _history_row(rng, len(rows) + 1, at, models)
            row.update(entity="model", entity_id=str(model["id"]), field="review_status")
            changed[f"model:{model['id']}"] = row["id"]
        elif deadlines:
            deadline = rng.choice(deadlines)
            deadline["due_date"] = _day(rng, now, -5, 45)
            row = _history_row(rng, len(rows) + 1, at, models)
            row.update(entity="deadline", entity_id=str(deadline["id"]), field="due_date")
            changed[f"deadline:{deadline['id']}"] = row["id"]
        else:
            continue
        rows.append(row)
    rows += [
        _history_row(rng, len(rows) + 1 + i, _at(rng, swept, now), models) for i in range(rng.randint(0, 3))
    ]
    news = list(tracker.news)
    news += [_news_row(rng, len(news) + 1 + i, _at(rng, swept, now)) for i in range(rng.randint(0, 2))]
    later = Tracker(
        models=models,
        deadlines=deadlines,
        status_changes=rows,
        news=news,
        event_developers=tracker.event_developers,
        mutes=tracker.mutes,
        history_id=len(rows),
        news_id=len(news),
    )
    return later, changed


@RULES
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_the_fast_plan_with_cursors_is_the_plain_plan(seed: int) -> None:
    rng = Random(seed)
    now, config = _now(rng), _settings(rng)
    swept = now - rng.choice(
        (timedelta(minutes=5), timedelta(hours=20), timedelta(days=3), timedelta(days=70))
    )
    before, subs = _world(rng, swept)
    _extras(rng, before, subs, swept)
    subs = [s for s in subs if datetime.fromisoformat(s["created_at"]) <= swept]
    # The sweep at `swept` claimed everything due then, and left its cursors on some subscriptions.
    done = plan_plainly(before, subs, set(), swept, config)
    ledger = done.valid | {a.key for a in done.send} | {a.key for a, _ in [*done.skip, *done.hold]}
    for sub in subs:
        if rng.random() < 0.8:
            sub.update(
                swept_at=swept.isoformat(),
                swept_history_id=before.history_id,
                swept_news_id=before.news_id,
                swept_settings=cursor_settings(config),
            )
    tracker, changed = _changed_since(rng, before, swept, now)
    # As the sweep reads it: what changed since the oldest cursor, and the subjects of retries.
    tracker.changed = changed
    tracker.recheck = {f"model:{m['id']}" for m in tracker.models if rng.random() < 0.1}

    plain = plan_plainly(tracker, subs, ledger, now, config)
    fast = plan_alerts(tracker, subs, ledger, now, config)
    assert _what(fast) == _what(plain)
    assert fast.valid <= plain.valid
