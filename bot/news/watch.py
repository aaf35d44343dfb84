"""News watch, wired: fetch due sources, save and match their items, `/aireview feeds`,
and the news alert message.

How news reaches channels: `fetch_due_feeds` (every 30 minutes, from the scheduler) saves
each new story once in `news_items`, with `alert = 1` when it matched a keyword or a
tracked developer or model name. The alert sweep (bot/alerts/sweep.py) turns those rows into
alerts of kind `news` for every subscription that wants them, real-time or digest, and
builds the message in bot/alerts/blocks.py.

A source's first fetch only marks what it holds as seen, so adding a feed never floods a
channel; a story older than STALE_DAYS is never posted either. A source that fails keeps
its error (shown by `/aireview feeds list`) and backs off; the others carry on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    context,
    fallback,
    fmt_datetime,
    header,
    link,
    more_line,
    safe,
    section,
)
from bot.deps import Deps
from bot.news import parse as news
from bot.news.feed_client import (
    OVERALL_DEADLINE_SECONDS,
    AddressRefused,
    FetchError,
    fetch,
    make_http_client,
)
from bot.replies import Reply
from storage import news as store_news
from storage.tracker import get_state, list_developers, list_models, set_state

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

STALE_DAYS = 14
DEFAULT_FEED_TITLE = "Federal Register: framework terms"
DEFAULT_FEED_ACTOR = "default"
STATE_DEFAULT_REMOVED = "news.default_feed_removed"
TEST_SHOWN = 10
MIN_NAME_LENGTH = 2


# -- dependencies ------------------------------------------------------------------------------


def http_client(deps: Deps) -> httpx.Client:
    """The shared client for sources (deps.feed_client), made on first use."""
    if deps.feed_client is None:
        deps.feed_client = make_http_client(allow_private=deps.settings.feeds_allow_private)
    return deps.feed_client


def tracked_names(deps: Deps) -> dict[str, str]:
    """Every tracked developer and model name, mapped to its developer id."""
    db = deps.store.db
    names: dict[str, str] = {}
    for dev in list_developers(db):
        if len(dev["name"].strip()) >= MIN_NAME_LENGTH:
            names[dev["name"].strip()] = dev["id"]
    for model in list_models(db):
        if len(model["name"].strip()) >= MIN_NAME_LENGTH:
            names.setdefault(model["name"].strip(), model["developer_id"])
    return names


def ensure_default_feed(deps: Deps, now: datetime) -> dict[str, Any] | None:
    """The default Federal Register search exists and is on, unless the setting is off
    (then it is paused) or an admin removed it (then it stays removed)."""
    db = deps.store.db
    rows = [f for f in store_news.list_feeds(db) if f["is_default"]]
    wanted = deps.settings.federal_register_default
    if rows:
        feed = rows[0]
        if bool(feed["enabled"]) != wanted:
            store_news.set_feed_enabled(db, feed["id"], wanted)
            feed["enabled"] = int(wanted)
        return feed
    if not wanted or get_state(db, STATE_DEFAULT_REMOVED):
        return None
    url = news.federal_register_search_url()
    if store_news.get_feed_by_url(db, url) is not None:  # an admin added the same search
        return None
    return store_news.add_feed(
        db,
        url,
        news.KIND_FEDERAL_REGISTER,
        [],
        created_by=DEFAULT_FEED_ACTOR,
        now=now,
        title=DEFAULT_FEED_TITLE,
        is_default=True,
    )


# -- one source --------------------------------------------------------------------------------


def _search_is_filter(feed: dict[str, Any]) -> bool:
    return feed["kind"] == news.KIND_FEDERAL_REGISTER and not feed["keywords"]


def evaluate(
    feed: dict[str, Any], parsed: news.Parsed, names: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    """Each parsed item as a row to save: what it matched and whether it may alert."""
    rows: list[dict[str, Any]] = []
    search_is_filter = _search_is_filter(feed)
    # A search without keywords of its own shows which of its terms an item mentions.
    keywords = news.search_terms_of(feed["url"]) if search_is_filter else feed["keywords"]
    for item in parsed.items:
        match = news.match_item(item, keywords, names, search_is_filter=search_is_filter)
        rows.append(
            {
                "keys": item.keys,
                "title": item.title,
                "link": item.link,
                "published": item.published,
                "summary": item.summary,
                "terms": match.terms,
                "developers": match.developer_ids,
                "alert": match.matched and not news.is_stale(item.published, now, STALE_DAYS),
            }
        )
    return rows


@dataclass
class FeedOutcome:
    feed_id: int
    url: str
    status: str  # primed | fetched | not_modified | failed
    new_alerts: list[int] = field(default_factory=list)
    seen: int = 0
    error: str | None = None
    refused: bool = False  # the source is on an address feeds may not use


def fetch_feed(
    deps: Deps,
    feed: dict[str, Any],
    now: datetime,
    client: httpx.Client,
    names: dict[str, str] | None = None,
    *,
    deadline_seconds: float = OVERALL_DEADLINE_SECONDS,
) -> FeedOutcome:
    """Fetch one source and save what it holds; every failure is recorded on the source."""
    db = deps.store.db
    refused = False
    try:
        result = fetch(
            client,
            feed["url"],
            etag=feed["etag"],
            last_modified=feed["last_modified"],
            deadline_seconds=deadline_seconds,
        )
        if result.not_modified:
            store_news.record_fetch_ok(
                db,
                feed["id"],
                now,
                etag=result.etag,
                last_modified=result.last_modified,
                warning=feed["last_error"] if not feed["consecutive_failures"] else None,
            )
            return FeedOutcome(feed["id"], feed["url"], "not_modified")
        parsed = news.parse_source(feed["kind"], result.body, result.content_type)
    except (FetchError, news.FeedError) as exc:
        error = str(exc)
        refused = isinstance(exc, AddressRefused)
    except Exception as exc:  # a source must never take the others (or the app) down
        log.exception("feed %s: unexpected error", feed["url"])
        error = f"unexpected error: {exc.__class__.__name__}: {exc}"
    else:
        rows = evaluate(feed, parsed, names if names is not None else tracked_names(deps), now)
        saved = store_news.save_items(db, feed, rows, now, prime=not feed["primed"])
        store_news.record_fetch_ok(
            db,
            feed["id"],
            now,
            etag=result.etag,
            last_modified=result.last_modified,
            title=parsed.title,
            warning=parsed.warning,
        )
        status = "fetched" if feed["primed"] else "primed"
        return FeedOutcome(feed["id"], feed["url"], status, saved.new_alerts, saved.seen)
    store_news.record_fetch_failure(db, feed["id"], now, error)
    log.warning("feed %s failed: %s", feed["url"], error)
    return FeedOutcome(feed["id"], feed["url"], "failed", error=error, refused=refused)


def fetch_due_feeds(
    deps: Deps,
    now: datetime,
    client: httpx.Client | None = None,
    *,
    deadline_seconds: float = OVERALL_DEADLINE_SECONDS,
) -> list[FeedOutcome]:
    """The 30-minute job: every enabled source not backing off is fetched once.

    One after another: a stalled source holds the others up at most `deadline_seconds`."""
    ensure_default_feed(deps, now)
    due = store_news.due_feeds(deps.store.db, now)
    outcomes = []
    if due:  # no client (nor httpx import) while no source is due
        client = client or http_client(deps)
        names = tracked_names(deps)
        for feed in due:
            outcomes.append(fetch_feed(deps, feed, now, client, names, deadline_seconds=deadline_seconds))
    new = sum(len(o.new_alerts) for o in outcomes)
    if outcomes:
        log.info("fetched %d sources: %d new items to alert", len(outcomes), new)
    return outcomes


# -- the news alert message --------------------------------------------------------------------


# -- /aireview feeds ---------------------------------------------------------------------------


def _unwrap_url(word: str) -> str:
    """Slack sends links as <https://x> or <https://x|label>; the console sends them bare."""
    word = word.strip()
    if word.startswith("<") and word.endswith(">"):
        word = word[1:-1].split("|", 1)[0]
    return word


def _feed_state(feed: dict[str, Any], tz: Any) -> str:
    if not feed["enabled"]:
        if feed["is_default"]:
            return "off (REVIEWWATCH_FEDERAL_REGISTER=off)"
        return "off"
    if feed["consecutive_failures"]:
        retry = fmt_datetime(feed["next_fetch_at"], tz) if feed["next_fetch_at"] else "next run"
        return (
            f":warning: failing ({feed['consecutive_failures']} in a row): "
            f"{safe(feed['last_error'] or 'unknown error', 300)}; next try {retry}"
        )
    if feed["last_error"]:
        return f":warning: read with a problem: {safe(feed['last_error'], 300)}"
    if not feed["last_fetched_at"]:
        return "not fetched yet (its first fetch marks current items as seen)"
    return f"ok, last fetched {fmt_datetime(feed['last_fetched_at'], tz)}"


def _keywords_text(feed: dict[str, Any]) -> str:
    if feed["keywords"]:
        return ", ".join(f"`{safe(k, 80)}`" for k in feed["keywords"])
    if _search_is_filter(feed):
        terms = news.search_terms_of(feed["url"])
        return "the search itself" + (f" ({', '.join(safe(t, 80) for t in terms)})" if terms else "")
    return "tracked names only"


def feeds_list_reply(deps: Deps) -> Reply:
    ensure_default_feed(deps, deps.clock.now())
    feeds = store_news.list_feeds(deps.store.db)
    tz = deps.settings.tz
    if not feeds:
        return Reply(
            text="No sources are watched.",
            blocks=[
                section("No sources are watched. Add one with `/aireview feeds add &lt;url&gt; [keywords]`.")
            ],
        )
    blocks: list[Block] = [header(f"Watched sources ({len(feeds)})")]
    lines = []
    room = MAX_MESSAGE_BLOCKS - 3
    for feed in feeds[:room]:
        name = safe(feed["title"] or feed["url"], 150)
        kind = "Federal Register" if feed["kind"] == news.KIND_FEDERAL_REGISTER else "RSS/Atom"
        default = " (default)" if feed["is_default"] else ""
        text = (
            f"`{feed['id']}` *{name}*{default} · {kind}\n{safe(feed['url'], 400)}\n"
            f"Keywords: {_keywords_text(feed)}\n{_feed_state(feed, tz)}"
        )
        blocks.append(section(text))
        lines.append(f"{feed['id']} {name}: {_feed_state(feed, tz)}")
    if len(feeds) > room:
        blocks.append(context(more_line(len(feeds) - room, "Remove unused sources to see the rest.")))
    blocks.append(context("Tracked developer and model names count as keywords for every source."))
    return Reply(text=fallback("Watched sources:", "; ".join(lines)), blocks=blocks)


def feeds_add_reply(deps: Deps, args: str, user_id: str) -> Reply:
    url_word, _, rest = args.strip().partition(" ")
    url = _unwrap_url(url_word)
    if not url:
        return _usage("add <url> [keywords]")
    problem = news.validate_url(url)
    if problem:
        return _notice(f"Cannot watch {safe(url, 200)}: {problem}.")
    db = deps.store.db
    existing = store_news.get_feed_by_url(db, url)
    if existing is not None:
        return _notice(f"{safe(url, 200)} is already watched (source `{existing['id']}`).")
    keywords = news.parse_keywords(rest)
    now = deps.clock.now()
    kind = news.source_kind(url)
    feed = store_news.add_feed(db, url, kind, keywords, created_by=user_id, now=now)
    # Fetch now: the admin sees at once whether the source works, and its current items
    # are marked seen (not posted).
    outcome = fetch_feed(deps, feed, now, http_client(deps))
    if outcome.refused:  # not a source that could ever work: not kept
        store_news.remove_feed(db, feed["id"])
        return _notice(f"Cannot watch {safe(url, 200)}: {safe(outcome.error or '', 300)}.")
    kw = ", ".join(f"`{safe(k, 80)}`" for k in keywords) or "none (tracked names only)"
    if kind == news.KIND_FEDERAL_REGISTER and not keywords:
        kw = "none: every result of this search is posted"
    if outcome.status == "failed":
        result = (
            f":warning: The first fetch failed: {safe(outcome.error or '', 300)}. "
            "It will be retried with backoff; `/aireview feeds list` shows its state."
        )
    else:
        result = (
            f"Its {outcome.seen} current items are marked as seen (not posted); new items that match will be."
        )
    text = f"Watching source `{feed['id']}`: {safe(url, 300)}\nKeywords: {kw}\n{result}"
    return Reply(text=fallback(text), blocks=[section(text)])


def feeds_remove_reply(deps: Deps, args: str) -> Reply:
    word = args.strip().lstrip("#`").rstrip("`")
    if not word.isdigit():
        return _usage("remove <id>")
    db = deps.store.db
    try:
        feed = store_news.remove_feed(db, int(word))
    except store_news.FeedNotFound:
        return _notice(f"There is no source `{safe(word, 20)}`; `/aireview feeds list` shows their ids.")
    extra = ""
    if feed["is_default"]:
        set_state(db, STATE_DEFAULT_REMOVED, "1")
        extra = " The default Federal Register search stays removed (add its URL again to restore it)."
    text = f"Stopped watching source `{feed['id']}`: {safe(feed['url'], 300)}.{extra}"
    return Reply(text=fallback(text), blocks=[section(text)])


def feeds_test_reply(deps: Deps, args: str) -> Reply:
    """Fetch once and show what would match; nothing is saved."""
    url_word, _, rest = args.strip().partition(" ")
    url = _unwrap_url(url_word)
    if not url:
        return _usage("test <url> [keywords]")
    problem = news.validate_url(url)
    if problem:
        return _notice(f"Cannot fetch {safe(url, 200)}: {problem}.")
    known = store_news.get_feed_by_url(deps.store.db, url)
    keywords = news.parse_keywords(rest) if rest.strip() else (known["keywords"] if known else [])
    kind = news.source_kind(url)
    feed = {"kind": kind, "keywords": keywords, "url": url}
    try:
        result = fetch(http_client(deps), url)
        parsed = news.parse_source(kind, result.body, result.content_type)
    except (FetchError, news.FeedError) as exc:
        text = f":warning: {safe(url, 300)} cannot be read: {safe(str(exc), 300)}"
        return Reply(text=fallback(text), blocks=[section(text)])
    now = deps.clock.now()
    rows = evaluate(feed, parsed, tracked_names(deps), now)
    matching = [r for r in rows if r["alert"]]
    kw = ", ".join(f"`{safe(k, 80)}`" for k in keywords) or "none (tracked names only)"
    summary = (
        f"*{safe(parsed.title or url, 200)}*: {len(rows)} items, {len(matching)} would match "
        f"(keywords: {kw})."
    )
    if parsed.warning:
        summary += f"\n:warning: {safe(parsed.warning, 300)}"
    blocks: list[Block] = [section(summary)]
    for row in matching[:TEST_SHOWN]:
        title = safe(row["title"], 200)
        linked = link(row["link"], row["title"] or row["link"]) if row["link"] else title
        blocks.append(section(f"• {linked}\n  matched: {', '.join(safe(t, 80) for t in row['terms'])}"))
    if len(matching) > TEST_SHOWN:
        blocks.append(context(more_line(len(matching) - TEST_SHOWN, "Only the first are shown.")))
    blocks.append(
        context(
            "A test saves nothing. When added, a source's current items are marked seen "
            "and only later ones are posted."
        )
    )
    return Reply(text=fallback(summary), blocks=blocks)


def _usage(usage: str) -> Reply:
    text = f"Usage: `/aireview feeds {usage}`"
    return Reply(text=text, blocks=[section(text)])


def _notice(text: str) -> Reply:
    return Reply(text=fallback(text), blocks=[section(text)])
