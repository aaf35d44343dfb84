"""Fetching sources into news items: priming, new items, 304s, one story from two sources,
the default Federal Register search, and bad sources isolated from the rest.

Sources are played by httpx.MockTransport (no traffic leaves the process) with bodies
shaped like real RSS 2.0, Atom and Federal Register answers (tests/fixtures/news)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.clock import FixedClock
from bot.deps import Deps
from bot.news import parse as news
from bot.news.feed_client import make_http_client
from bot.news.watch import fetch_due_feeds
from storage import news as store_news
from tests.support import paths

FIXTURES = paths.FIXTURES / "news"
POLICYWIRE = "https://policywire.example/technology/feed.xml"
TECHDESK = "https://techdesk.example/atom.xml"
FR_SEARCH = news.federal_register_search_url()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


Answer = Callable[[httpx.Request], httpx.Response]


class Sources:
    """What each URL answers, changeable between fetches; records every request."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[httpx.Request] = []

    def serve(
        self, url: str, body: bytes, content_type: str = "application/rss+xml", etag: str | None = None
    ) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            if etag and request.headers.get("if-none-match") == etag:
                return httpx.Response(304, headers={"ETag": etag})
            headers = {"Content-Type": content_type, **({"ETag": etag} if etag else {})}
            return httpx.Response(200, content=body, headers=headers)

        self.answers[url] = answer

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.get(str(request.url))
        return answer(request) if answer else httpx.Response(404, content=b"no such source")

    def client(self) -> httpx.Client:
        return make_http_client(transport=httpx.MockTransport(self.handler))

    def hits(self, url: str) -> int:
        return sum(1 for r in self.requests if str(r.url) == url)


@pytest.fixture
def sources() -> Sources:
    return Sources()


@pytest.fixture
def no_default(deps: Deps) -> Deps:
    """Deps with the default Federal Register search off, so a test controls every source."""
    return replace(deps, settings=replace(deps.settings, federal_register_default=False))


def add(deps: Deps, url: str, keywords: list[str] | None = None) -> dict[str, Any]:
    return store_news.add_feed(
        deps.store.db,
        url,
        news.source_kind(url),
        keywords or [],
        created_by="UADMIN0001",
        now=deps.clock.now(),
    )


def alert_items(deps: Deps) -> list[dict[str, Any]]:
    return store_news.alert_items_after(deps.store.db, 0)


def items(deps: Deps) -> list[dict[str, Any]]:
    return [dict(r) for r in deps.store.db.query("SELECT * FROM news_items ORDER BY id")]


def half_hour(deps: Deps) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.advance(timedelta(minutes=30))


def test_first_fetch_marks_seen_and_second_posts_only_new_matching_items(
    no_default: Deps, sources: Sources
) -> None:
    deps = no_default
    feed = add(deps, POLICYWIRE, ["frontier model", "CAISI"])
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    client = sources.client()

    [outcome] = fetch_due_feeds(deps, deps.clock.now(), client)
    assert (outcome.status, outcome.new_alerts, outcome.seen) == ("primed", [], 3)
    assert alert_items(deps) == []  # two of them match, but a new source never floods
    assert len(items(deps)) == 3
    assert store_news.get_feed(deps.store.db, feed["id"])["primed"] == 1

    half_hour(deps)
    sources.serve(POLICYWIRE, fixture("policywire_rss2_update.xml"))
    [outcome] = fetch_due_feeds(deps, deps.clock.now(), client)
    assert outcome.status == "fetched"
    alerts = alert_items(deps)
    # the new CAISI story alerts; the new meta-analysis story matches nothing ("Meta" is a
    # tracked name, but not inside "meta-analysis"); the old ones are not posted again
    assert [a["title"] for a in alerts] == [
        "CAISI publishes AI model evaluation guidance ahead of July 31 deadline"
    ]
    assert alerts[0]["matched"] == ["frontier model", "CAISI"]
    assert alerts[0]["source"] == "Policy Wire: Technology"
    assert alerts[0]["link"].startswith("https://policywire.example/2026/07/24/caisi-evaluation-guidance/")
    assert len(items(deps)) == 5

    half_hour(deps)
    fetch_due_feeds(deps, deps.clock.now(), client)
    assert len(alert_items(deps)) == 1 and len(items(deps)) == 5


def test_tracked_developer_names_are_keywords_and_recorded_on_the_item(
    no_default: Deps, sources: Sources
) -> None:
    deps = no_default
    add(deps, POLICYWIRE)  # no keywords of its own: tracked names only
    sources.serve(
        POLICYWIRE, b'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>'
    )
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    half_hour(deps)
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    [alert] = alert_items(deps)
    assert alert["title"].startswith("Meta says")
    assert alert["matched"] == ["Meta"] and alert["developers"] == ["meta"]


def test_304_is_handled_without_reparsing_or_posting(no_default: Deps, sources: Sources) -> None:
    deps = no_default
    feed = add(deps, POLICYWIRE, ["CAISI"])
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"), etag='"v1"')
    client = sources.client()
    fetch_due_feeds(deps, deps.clock.now(), client)
    assert store_news.get_feed(deps.store.db, feed["id"])["etag"] == '"v1"'

    half_hour(deps)
    [outcome] = fetch_due_feeds(deps, deps.clock.now(), client)
    assert outcome.status == "not_modified"
    assert sources.requests[-1].headers["If-None-Match"] == '"v1"'
    row = store_news.get_feed(deps.store.db, feed["id"])
    assert row["last_ok_at"] == "2026-07-24T14:30:00+00:00" and row["last_error"] is None
    assert len(items(deps)) == 3 and alert_items(deps) == []

    half_hour(deps)  # the source changes: a new ETag, new items
    sources.serve(POLICYWIRE, fixture("policywire_rss2_update.xml"), etag='"v2"')
    fetch_due_feeds(deps, deps.clock.now(), client)
    assert [a["matched"] for a in alert_items(deps)] == [["CAISI"]]
    assert store_news.get_feed(deps.store.db, feed["id"])["etag"] == '"v2"'


def test_the_same_story_from_two_sources_is_posted_once(no_default: Deps, sources: Sources) -> None:
    deps = no_default
    add(deps, POLICYWIRE, ["CAISI"])
    add(deps, TECHDESK, ["CAISI", "frontier model"])
    add(deps, FR_SEARCH)
    empty_atom = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>'
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    sources.serve(TECHDESK, empty_atom, "application/atom+xml")
    sources.serve(FR_SEARCH, b'{"count": 0, "results": []}', "application/json")
    client = sources.client()
    fetch_due_feeds(deps, deps.clock.now(), client)  # all three primed, empty

    half_hour(deps)
    sources.serve(POLICYWIRE, fixture("policywire_rss2_update.xml"))
    sources.serve(TECHDESK, fixture("techdesk_atom.xml"), "application/atom+xml")
    sources.serve(FR_SEARCH, fixture("federal_register.json"), "application/json")
    fetch_due_feeds(deps, deps.clock.now(), client)
    titles = [a["title"] for a in alert_items(deps)]
    # The CAISI guidance is on Policy Wire (https, utm, trailing slash) and Tech Desk (http,
    # bare); the review notice is in Tech Desk (its federalregister.gov link) and the Federal
    # Register (its document number). Each is one item, posted once.
    assert sorted(titles) == sorted(
        [
            "CAISI publishes AI model evaluation guidance ahead of July 31 deadline",
            "Commerce sets out frontier model review process",
            "Google DeepMind opens new London lab",
            "Request for Information on Evaluation Methods for Advanced AI Systems",
        ]
    )
    assert len(titles) == len(set(titles)) == 4
    notice = next(a for a in alert_items(deps) if a["title"].startswith("Commerce"))
    keys = [
        r["key"]
        for r in deps.store.db.query(
            "SELECT key FROM news_item_keys WHERE item_id = ? ORDER BY key", [notice["id"]]
        )
    ]
    assert "fr:2026-15012" in keys

    half_hour(deps)
    fetch_due_feeds(deps, deps.clock.now(), client)
    assert len(alert_items(deps)) == 4


def test_federal_register_search_without_keywords_posts_its_results(
    no_default: Deps, sources: Sources
) -> None:
    deps = no_default
    add(deps, FR_SEARCH)
    sources.serve(FR_SEARCH, b'{"count": 0, "results": [], "total_pages": 0}', "application/json")
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    half_hour(deps)
    sources.serve(FR_SEARCH, fixture("federal_register.json"), "application/json")
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    alerts = alert_items(deps)
    assert [a["matched"] for a in alerts] == [
        ["frontier model", "Center for AI Standards and Innovation"],
        [news.SEARCH_MATCH_LABEL],
    ]
    assert alerts[0]["published"] == "2026-07-24" and alerts[0]["source"] == "Federal Register"


def test_the_default_federal_register_search_is_on_unless_turned_off(deps: Deps, sources: Sources) -> None:
    sources.serve(FR_SEARCH, fixture("federal_register.json"), "application/json")
    [outcome] = fetch_due_feeds(deps, deps.clock.now(), sources.client())
    feed = store_news.get_feed(deps.store.db, outcome.feed_id)
    assert feed["is_default"] == 1 and feed["url"] == FR_SEARCH and feed["primed"] == 1
    assert sources.hits(FR_SEARCH) == 1
    assert "conditions%5Bterm%5D=%22frontier+model%22" in FR_SEARCH

    off = replace(deps, settings=replace(deps.settings, federal_register_default=False))
    half_hour(deps)
    assert fetch_due_feeds(off, deps.clock.now(), sources.client()) == []
    assert store_news.get_feed(deps.store.db, outcome.feed_id)["enabled"] == 0
    assert sources.hits(FR_SEARCH) == 1


def test_stale_items_are_seen_not_posted(no_default: Deps, sources: Sources) -> None:
    deps = no_default
    add(deps, POLICYWIRE, ["CAISI"])
    sources.serve(
        POLICYWIRE, b'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>'
    )
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    half_hour(deps)
    old = fixture("policywire_rss2_update.xml").replace(b" Jul 2026", b" Jun 2026")
    sources.serve(POLICYWIRE, old)
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    # a CAISI story and a Meta story, both matching but weeks old: seen, not posted
    assert alert_items(deps) == [] and len(items(deps)) == 4


def answer(body: bytes, content_type: str = "") -> Answer:
    headers = {"Content-Type": content_type} if content_type else {}
    return lambda request: httpx.Response(200, content=body, headers=headers)


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


BAD_SOURCES: dict[str, tuple[Answer, str]] = {
    "malformed XML": (
        answer(
            b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Broken', "application/rss+xml"
        ),
        "malformed XML",
    ),
    "malformed JSON": (answer(b'{"results": [', "application/json"), "malformed JSON"),
    "HTML page": (
        answer(b"<!DOCTYPE html><html><body>Subscribe</body></html>", "text/html; charset=utf-8"),
        "HTML page",
    ),
    "oversized": (answer(b"<rss>" + b" " * 2_100_000), "too large"),
    "redirect loop": (lambda r: httpx.Response(302, headers={"Location": str(r.url)}), "redirect loop"),
    "missing encoding (JSON)": (
        answer('{"results": [{"title": "S\u00e9nat"}]}'.encode("latin-1")),
        "wrong encoding",
    ),
    "timeout": (timeout, "timed out"),
    "server error": (lambda r: httpx.Response(503), "HTTP 503"),
}


@pytest.mark.parametrize("case", list(BAD_SOURCES))
def test_a_bad_source_records_its_error_and_the_others_carry_on(
    no_default: Deps, sources: Sources, case: str
) -> None:
    deps = no_default
    bad_answer, problem = BAD_SOURCES[case]
    kind_json = "JSON" in case
    bad_url = (
        news.federal_register_search_url(["bad source"]) if kind_json else "https://bad.example/feed.xml"
    )
    bad = add(deps, bad_url, ["CAISI"])
    good = add(deps, POLICYWIRE, ["CAISI"])
    sources.answers[bad_url] = bad_answer
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    fetch_due_feeds(deps, deps.clock.now(), sources.client())
    half_hour(deps)
    sources.serve(POLICYWIRE, fixture("policywire_rss2_update.xml"))
    outcomes = {o.feed_id: o for o in fetch_due_feeds(deps, deps.clock.now(), sources.client())}

    assert outcomes[good["id"]].status == "fetched"
    assert [a["matched"] for a in alert_items(deps)] == [["CAISI"]]
    row = store_news.get_feed(deps.store.db, bad["id"])
    assert problem in row["last_error"]
    assert row["consecutive_failures"] == 2
    assert row["primed"] == 0  # it never read anything, so its first good read still primes


def test_wrong_xml_encoding_is_read_with_a_recorded_warning(no_default: Deps, sources: Sources) -> None:
    deps = no_default
    feed = add(deps, POLICYWIRE, ["CAISI"])
    body = fixture("policywire_rss2.xml").replace(b"Senate", "S\xe9nate".encode("latin-1"))
    sources.serve(POLICYWIRE, body, "application/rss+xml; charset=utf-8")
    [outcome] = fetch_due_feeds(deps, deps.clock.now(), sources.client())
    assert outcome.status == "primed"
    row = store_news.get_feed(deps.store.db, feed["id"])
    assert "wrong encoding" in row["last_error"] and row["consecutive_failures"] == 0
    assert any(i["title"].startswith("S\u00e9nate") for i in items(deps))


def test_a_failing_source_backs_off(no_default: Deps, sources: Sources) -> None:
    deps = no_default
    add(deps, "https://down.example/feed.xml")
    sources.answers["https://down.example/feed.xml"] = lambda r: httpx.Response(500)
    client = sources.client()
    fetch_times = []
    for _ in range(16):  # eight hours of 30-minute runs
        if fetch_due_feeds(deps, deps.clock.now(), client):
            fetch_times.append(deps.clock.now())
        half_hour(deps)
    gaps = [(b - a) / timedelta(minutes=30) for a, b in zip(fetch_times, fetch_times[1:], strict=False)]
    assert gaps == [1, 2, 4, 8]  # 30 min, 1 h, 2 h, 4 h
    [row] = store_news.list_feeds(deps.store.db)
    assert row["consecutive_failures"] == 5 and row["last_error"] == "HTTP 500 Internal Server Error"

    sources.serve("https://down.example/feed.xml", fixture("policywire_rss2.xml"))
    deps.clock.advance(timedelta(hours=8))
    fetch_due_feeds(deps, deps.clock.now(), client)
    [row] = store_news.list_feeds(deps.store.db)
    assert (row["consecutive_failures"], row["last_error"], row["next_fetch_at"]) == (0, None, None)


def test_an_unexpected_error_in_one_source_is_recorded(
    no_default: Deps, sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = no_default
    bad = add(deps, "https://bad.example/feed.xml")
    add(deps, POLICYWIRE)
    sources.serve("https://bad.example/feed.xml", b"\x00\x01")
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    original = news.parse_source

    def explode(kind: str, body: bytes, content_type: str = "") -> news.Parsed:
        if body == b"\x00\x01":
            raise KeyError("surprise")
        return original(kind, body, content_type)

    monkeypatch.setattr(news, "parse_source", explode)
    outcomes = fetch_due_feeds(deps, deps.clock.now(), sources.client())
    assert [o.status for o in outcomes] == ["failed", "primed"]
    assert "unexpected error: KeyError" in store_news.get_feed(deps.store.db, bad["id"])["last_error"]


def test_the_fetch_is_scheduled_every_30_minutes_on_its_own_thread(no_default: Deps) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.news.commands import NEWS_EXECUTOR, NEWS_JOB_ID, NEWS_STARTUP_JOB_ID, add_news_job

    scheduler = BackgroundScheduler(timezone="UTC")
    add_news_job(scheduler, no_default)  # not started: nothing runs
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {NEWS_JOB_ID, NEWS_STARTUP_JOB_ID}
    interval = jobs[NEWS_JOB_ID]
    assert interval.trigger.interval == timedelta(minutes=30)
    assert (interval.executor, interval.coalesce, interval.max_instances) == (NEWS_EXECUTOR, True, 1)
    assert interval.misfire_grace_time >= 60


def test_the_scheduled_job_pauses_the_default_search_turned_off_while_it_backs_off(
    deps: Deps, sources: Sources
) -> None:
    """The job loads the watch only when it has work (bot/news/commands.py); a default search
    still on while its setting is off is work, even when it is not due."""
    from bot.news.commands import news_fetch_job

    deps.feed_client = sources.client()
    news_fetch_job(deps)  # the search answers 404: it backs off
    [feed] = store_news.list_feeds(deps.store.db)
    assert feed["is_default"] == 1 and feed["enabled"] == 1 and feed["next_fetch_at"]
    assert store_news.due_feeds(deps.store.db, deps.clock.now()) == []

    off = replace(deps, settings=replace(deps.settings, federal_register_default=False))
    news_fetch_job(off)
    assert store_news.get_feed(deps.store.db, feed["id"])["enabled"] == 0
    assert sources.hits(FR_SEARCH) == 1


def test_the_scheduled_job_with_no_source_and_the_default_off_adds_nothing(no_default: Deps) -> None:
    from bot.news.commands import news_fetch_job

    news_fetch_job(no_default)
    assert store_news.list_feeds(no_default.store.db) == [] and items(no_default) == []


def test_the_scheduled_job_fetches_and_never_raises(no_default: Deps, sources: Sources) -> None:
    from bot.news.commands import news_fetch_job

    deps = no_default
    add(deps, POLICYWIRE)
    sources.serve(POLICYWIRE, fixture("policywire_rss2.xml"))
    deps.feed_client = sources.client()
    news_fetch_job(deps)
    assert sources.hits(POLICYWIRE) == 1 and len(items(deps)) == 3
    deps.store.close()  # even a database gone away is logged, not raised
    news_fetch_job(deps)
