"""/deadlines, the App Home and /aireview status list upcoming items that SQLite picks, counts
and reads in date order (bot.answers.upcoming_answer). This checks them against the plain Python rules
(bot.domain.upcoming_items over every row) on randomized trackers full of edge cases: the
same first items in the same order, the same counts, and the same Slack, Teams and Home output."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import domain
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.read import answers, blocks
from bot.read.home import build_home
from bot.settings import Settings
from bot.teams.cards import deadlines_card as teams_deadlines_card
from bot.teams.status_card import status_card as teams_status_card
from storage.db import Store, open_store
from storage.tracker import list_deadlines, list_models

BASE = date(2026, 7, 24)
STAMP = "2026-06-01T12:00:00+00:00"
# Names that tie once lower-cased (in Python, not in SQLite: É/é, Xé/xÉ), or as whole titles
# ("North Star" + "One" and "North" + "Star One"), and developers sharing a name.
DEVELOPER_NAMES = (
    "Acme AI",
    "acme ai",
    "ACME AI",
    "North",
    "North Star",
    "Émile Labs",
    "émile labs",
    "Zeta",
    "Ångström",
    "",
    "Öko",
)
MODEL_NAMES = (
    "One",
    "Star One",
    "Émile",
    "émile",
    "Xé",
    "xÉ",
    "Alpha",
    "alpha-2",
    "Zed",
    "Ölm",
    "Éa",
    "éb",
    "<&>",
)
DEADLINE_TITLES = (
    "Comment period closes",
    "comment period closes",
    "Éa rule",
    "éb rule",
    "Zebra rule",
    "Ärger hearing",
    "apple",
    "Apple",
    "<!here> notice",
)
STATUSES = ("not_submitted", "not_submitted", "submitted", "in_review", "cleared", "released", "withdrawn")


BUSY_DAYS = (-40, -31, -8, -7, 0, 1, 17, 30, 31, 46, 75, 110)


def _day(rng: random.Random, spread: int = 120) -> str:
    # Half on a few busy days, so many items share a date (ties); the rest hit every edge day.
    offset = rng.choice(BUSY_DAYS) if rng.random() < 0.5 else rng.randint(-spread // 2, spread)
    return (BASE + timedelta(days=offset)).isoformat()


def _odd(rng: random.Random, value: str) -> str:
    """A stored date as forms, seeds and imports leave it: plain, or with a time suffix."""
    return value + rng.choice(("", "", "", "T10:00:00", "T00:00"))


def fill_random_tracker(
    store: Store, seed: int, developers: int = 14, models: int = 260, deadlines: int = 90
) -> None:
    rng = random.Random(seed)
    book = {"version": 1, "created_at": STAMP, "updated_at": STAMP, "updated_by": "UTEST"}
    devs = [
        {
            "id": f"dev-{i:02d}",
            "name": DEVELOPER_NAMES[i % len(DEVELOPER_NAMES)] or f"Dev {i}",
            "status": "negotiating",
            **book,
        }
        for i in range(developers)
    ]
    model_rows = []
    for i in range(models):
        dev = devs[i % developers]
        taken = {m["name"].lower() for m in model_rows if m["developer_id"] == dev["id"]}
        name = rng.choice(MODEL_NAMES)
        if name.lower() in taken:  # one name per developer, ignoring ASCII case (the unique index)
            name = f"{name} {i}"
        status = rng.choice(STATUSES)
        planned = rng.choice((None, "")) if rng.random() < 0.1 else _odd(rng, _day(rng))
        submitted = rng.choice((None, None, None, "", _day(rng)))
        released = rng.choice((None,) * 8 + ("", _day(rng)))
        model_rows.append(
            {
                "id": i + 1,
                "developer_id": dev["id"],
                "name": name,
                "planned_release": planned,
                "submitted": submitted,
                "released": released,
                "review_status": status,
                "source": rng.choice((None, "https://example.org/m", "<!channel>")),
                "contested": rng.choice((0, 0, 1)),
                **book,
            }
        )
    deadline_rows = [
        {
            "id": i + 1,
            "title": rng.choice(DEADLINE_TITLES),
            "due_date": _odd(rng, _day(rng)),
            "kind": "deadline",
            "source": rng.choice((None, "Federal Register")),
            "contested": rng.choice((0, 1)),
            **book,
        }
        for i in range(deadlines)
    ]
    add_twins(model_rows, deadline_rows, book)
    db = store.db
    with db.atomic():
        db["developers"].insert_all(devs)
        db["models"].insert_all(model_rows)
        db["deadlines"].insert_all(deadline_rows)


def add_twins(
    model_rows: list[dict[str, Any]], deadline_rows: list[dict[str, Any]], book: dict[str, Any]
) -> None:
    """Twins: items that tie on everything but the order the lists give them (the same day,
    kind and lower-cased title), added in the reverse of that order, so ids do not settle it."""
    for k, offset in enumerate(BUSY_DAYS):
        day = (BASE + timedelta(days=offset)).isoformat()
        twins = (
            ("dev-06", f"Twin {k}"),
            ("dev-05", f"Twin {k}"),  # "émile labs" after "Émile Labs"
            ("dev-05", f"twin{k}É"),
            ("dev-05", f"Twin{k}é"),
        )  # NOCASE order, then BINARY
        for developer_id, name in twins:
            model_rows.append(
                {
                    "id": len(model_rows) + 1,
                    "developer_id": developer_id,
                    "name": name,
                    "planned_release": day,
                    "review_status": "not_submitted",
                    "contested": 0,
                    **book,
                }
            )
        for due in (f"{day}T09:00", day):
            deadline_rows.append(
                {
                    "id": len(deadline_rows) + 1,
                    "title": "Twin deadline",
                    "due_date": due,
                    "kind": "deadline",
                    "contested": 0,
                    **book,
                }
            )


# The team's today around midnight and a daylight-saving change: (timezone, now).
CLOCKS = (
    ("America/New_York", datetime(2026, 7, 24, 14, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 7, 25, 3, 59, tzinfo=UTC)),  # still the 24th in New York
    ("America/New_York", datetime(2026, 7, 25, 4, 0, tzinfo=UTC)),  # the 25th
    ("America/New_York", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # DST ended that night
    ("Pacific/Kiritimati", datetime(2026, 8, 9, 10, 30, tzinfo=UTC)),  # already the 10th
    ("America/Los_Angeles", datetime(2026, 6, 12, 6, 59, tzinfo=UTC)),  # still the 11th
)


def deps_for(store: Store, tz_name: str, now: datetime, window_days: int) -> Deps:
    settings = Settings(db_path="unused.db", timezone_name=tz_name, review_window_days=window_days)
    return make_deps(settings, store, FixedClock(now))


def expected_items(deps: Deps, days: int, developer_id: str | None) -> list[domain.DatedItem]:
    """The plain computation: every model and deadline row through bot.domain."""
    db, settings = deps.store.db, deps.settings
    return domain.upcoming_items(
        list_models(db, developer_id),
        [] if developer_id else list_deadlines(db),
        deps.clock.now(),
        settings.tz,
        days,
        settings.review_window_days,
    )


@pytest.fixture(scope="module", params=[1, 2, 3])
def random_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = open_store(Path(tmp_path_factory.mktemp("upcoming")) / "random.db")
    fill_random_tracker(store, request.param)
    yield store
    store.close()


def test_upcoming_answers_match_the_domain_rules_over_every_row(random_store: Store) -> None:
    seen: set[str] = set()
    for tz_name, now in CLOCKS:
        today = domain.today_in(ZoneInfo(tz_name), now)
        for window_days in (0, 30, 45):
            deps = deps_for(random_store, tz_name, now, window_days)
            for days in (0, 7, 90, 365):
                for developer_id in (None, "dev-03", "dev-05"):
                    want = expected_items(deps, days, developer_id)
                    for shown in (1, 8, 40):
                        answer = answers.upcoming_answer(deps, days, developer_id, shown=shown)
                        where = f"{tz_name} {now} N={window_days} days={days} dev={developer_id} {shown}"
                        assert answer.today == today, where
                        assert answer.total == len(want), where
                        assert answer.overdue == sum(1 for i in want if i.overdue), where
                        assert answer.items == want[:shown], where
                    seen |= _edges(want, today)
    assert seen == {
        "overdue",
        "window opens today",
        "passed 7 days ago",
        "released, no item",
        "tie in date and kind",
        "tie in lower-cased title",
    }


def _edges(items: list[domain.DatedItem], today: date) -> set[str]:
    found = set()
    if any(i.overdue for i in items):
        found.add("overdue")
    if any(i.kind == domain.ITEM_SUBMISSION_DUE and i.days == 0 for i in items):
        found.add("window opens today")
    if any(i.days == -7 and not i.overdue for i in items):
        found.add("passed 7 days ago")
    keys = [(i.overdue, i.day, i.kind) for i in items]
    if len(set(keys)) < len(keys):
        found.add("tie in date and kind")
    titles = [(i.overdue, i.day, i.kind, i.title.lower()) for i in items]
    if len(set(titles)) < len(titles):
        found.add("tie in lower-cased title")
    found.add("released, no item")  # the tracker has them (STATUSES); parity covers them
    return found


def test_items_passed_eight_days_ago_are_left_out_unless_overdue(random_store: Store) -> None:
    tz_name, now = CLOCKS[0]
    deps = deps_for(random_store, tz_name, now, 30)
    every = domain.dated_items(
        list_models(random_store.db), list_deadlines(random_store.db), now, deps.settings.tz, 30
    )
    eight = [i for i in every if i.days == -8]
    assert any(not i.overdue for i in eight)  # the tracker has them ...
    shown = answers.upcoming_answer(deps, 90, shown=len(every)).items
    assert [i for i in shown if i.days == -8] == [i for i in eight if i.overdue]  # ... and they stay out


def plain_answer(answer: answers.UpcomingAnswer, want: list[domain.DatedItem]) -> answers.UpcomingAnswer:
    """`answer` as the plain computation gives it: every item (renderers list only their
    first few), counted in Python."""
    return replace(answer, items=want, total=len(want), overdue=sum(1 for i in want if i.overdue))


def test_every_surface_renders_the_same_as_from_the_plain_computation(random_store: Store) -> None:
    for tz_name, now in CLOCKS[:4]:
        deps = deps_for(random_store, tz_name, now, 30)
        tz = deps.settings.tz
        for days in (7, 90, 365):
            answer = answers.upcoming_answer(deps, days)
            plain = plain_answer(answer, expected_items(deps, days, None))
            assert blocks.deadlines_reply(answer, tz) == blocks.deadlines_reply(plain, tz)
            assert teams_deadlines_card(answer, "now", "Review Watch") == teams_deadlines_card(
                plain, "now", "Review Watch"
            )
        home = answers.home_answer(deps)
        plain_home = replace(home, upcoming=plain_answer(home.upcoming, expected_items(deps, 365, None)))
        assert build_home(home, admin=True) == build_home(plain_home, admin=True)
        status = answers.developer_status(
            deps, dict(next(iter(random_store.db.query("SELECT * FROM developers WHERE id = 'dev-03'"))))
        )
        want = expected_items(deps, answers.DEFAULT_DAYS, "dev-03")
        assert len(want) > answers.STATUS_UPCOMING  # so "…and N more" is compared too
        assert status.upcoming == want[: answers.STATUS_UPCOMING] and status.upcoming_total == len(want)
        plain_status = replace(status, upcoming=want, upcoming_total=len(want))
        assert blocks.status_reply(status, "now") == blocks.status_reply(plain_status, "now")
        assert teams_status_card(status, "now", "Review Watch") == teams_status_card(
            plain_status, "now", "Review Watch"
        )


def test_an_answer_builds_only_the_items_it_shows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.support.large_tracker import make_large_tracker

    store = open_store(tmp_path / "large.db")
    try:
        make_large_tracker(store.db)
        deps = deps_for(store, *CLOCKS[0], 30)
        real, built = domain.model_items, []

        def counting(*args: Any) -> list[domain.DatedItem]:
            built.append(args)
            return real(*args)

        monkeypatch.setattr(domain, "model_items", counting)
        answer = answers.upcoming_answer(deps, 90)
        reply = blocks.deadlines_reply(answer, deps.settings.tz)
        assert answer.total > 3000 and answer.overdue > 400
        summary = f"{answer.total} items in the next 90 days, {answer.overdue} overdue"
        assert reply.text.startswith(summary)
        assert len(built) <= 4 * (answers.MAX_LISTED + 1) + 50  # a few ties on the last day
        assert len(answer.items) == blocks.MAX_LISTED  # what /deadlines lists, and no more
    finally:
        store.close()
