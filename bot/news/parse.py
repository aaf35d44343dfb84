"""News watch, the pure part: parse feeds into plain items, name them, match keywords.

Nothing here talks HTTP or touches the database (bot/news/feed_client.py fetches,
storage/news.py saves, bot/news/watch.py ties them together), so every rule is tested on
saved bytes.

- RSS 2.0 and Atom go through feedparser; the Federal Register documents API is JSON.
- An item is known by every key it carries: its normalised link, its guid and, for the
  Federal Register, its document number (also read out of federalregister.gov links), so
  the same story from two sources is one item.
- Terms match case-insensitively on whole words (a hyphenated word is one word, so `Meta`
  does not match "meta-analysis"; a plain plural counts, so `frontier model` matches
  "frontier models"); a phrase matches across any whitespace.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

KIND_RSS = "rss"
KIND_FEDERAL_REGISTER = "federal_register"

FEDERAL_REGISTER_API = "https://www.federalregister.gov/api/v1/documents.json"
# The framework's terms: the default Federal Register search looks for any of them.
FRAMEWORK_TERMS: tuple[str, ...] = (
    "frontier model",
    "Center for AI Standards and Innovation",
    "AI model evaluation",
)
# When a Federal Register search has no keywords of its own, the search is the filter
# (the API matched the document's full text); its items show this as what matched.
SEARCH_MATCH_LABEL = "Federal Register search"

_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid)$", re.IGNORECASE)
_FR_DOC_IN_URL = re.compile(
    r"federalregister\.gov/(?:documents|d)/(?:\d{4}/\d{2}/\d{2}/)?([0-9A-Z-]{5,})", re.IGNORECASE
)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class FeedError(ValueError):
    """A source answered with something we cannot read as a feed; the message says what."""


@dataclass
class NewsItem:
    """One story from one source, before it is saved."""

    title: str
    link: str | None
    published: str | None  # ISO date or UTC datetime, when the source gave one
    summary: str  # plain text
    keys: list[str]  # normalised identities; the first is the item's primary key
    source_kind: str = KIND_RSS


@dataclass
class Parsed:
    """What a source held: its title, its items, and a problem we read past (if any)."""

    title: str | None
    items: list[NewsItem]
    warning: str | None = None


@dataclass
class Match:
    """The terms an item matched and the tracked developers it mentions."""

    terms: list[str] = field(default_factory=list)
    developer_ids: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return bool(self.terms)


# -- item identity -----------------------------------------------------------------------------


def normalise_link(url: str) -> str | None:
    """A link reduced to what identifies the page: no scheme difference, `www.`, fragment,
    tracking parameters or trailing slash. None when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+$", "", parts.path) or ""
    query = urlencode(
        sorted(
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)
        )
    )
    return urlunsplit(("https", host, path, query, ""))


def federal_register_key(document_number: str) -> str:
    return "fr:" + document_number.strip().upper()


def item_keys(link: str | None, guid: str | None = None, document_number: str | None = None) -> list[str]:
    """Every identity of an item, most specific first, without duplicates."""
    keys: list[str] = []
    if document_number and document_number.strip():
        keys.append(federal_register_key(document_number))
    for value in (link, guid):
        if not value or not value.strip():
            continue
        normal = normalise_link(value)
        if normal is None:
            keys.append("guid:" + value.strip())
            continue
        keys.append("url:" + normal)
        found = _FR_DOC_IN_URL.search(value)
        if found:
            keys.append(federal_register_key(found[1]))
    return list(dict.fromkeys(keys))


# -- parsing -----------------------------------------------------------------------------------


def plain_text(value: str | None) -> str:
    """Markup removed, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def _entry_published(entry: Any) -> str | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed = entry.get(name)
        if parsed:
            try:
                year, month, day, hour, minute, second = parsed[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
            except (TypeError, ValueError):
                continue
    return None


def _looks_like_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower() and "xhtml" not in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def parse_feed(body: bytes, content_type: str = "") -> Parsed:
    """RSS or Atom bytes into items. Raises FeedError for HTML, malformed XML or no feed."""
    if not body.strip():
        raise FeedError("empty response")
    if _looks_like_html(body, content_type):
        raise FeedError("an HTML page, not an RSS or Atom feed")
    # Imported here: feedparser costs ~1 MiB resident, and only RSS/Atom bodies need it.
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    warning: str | None = None
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        # feedparser read the bytes in another encoding; the items are usable, say so.
        warning = f"wrong encoding: {problem}"
    elif isinstance(problem, feedparser.CharacterEncodingUnknown):
        raise FeedError(f"unreadable encoding: {problem}")
    elif problem is not None and not isinstance(problem, feedparser.NonXMLContentType):
        raise FeedError(f"malformed XML: {problem}")
    if not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    items: list[NewsItem] = []
    for entry in parsed.entries:
        link = entry.get("link")
        guid = entry.get("id")
        keys = item_keys(link, guid)
        title = plain_text(entry.get("title"))
        if not keys or not (title or link):
            continue
        items.append(
            NewsItem(
                title=title or (link or ""),
                link=link if link and normalise_link(link) else None,
                published=_entry_published(entry),
                summary=plain_text(entry.get("summary")),
                keys=keys,
            )
        )
    return Parsed(title=plain_text(parsed.feed.get("title")) or None, items=items, warning=warning)


def _charset(content_type: str) -> str | None:
    found = re.search(r"charset=\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return found[1] if found else None


def parse_federal_register(body: bytes, content_type: str = "") -> Parsed:
    """The documents API's JSON into items. Raises FeedError when it is not that JSON."""
    if not body.strip():
        raise FeedError("empty response")
    if _looks_like_html(body, content_type):
        raise FeedError("an HTML page, not Federal Register JSON")
    encoding = _charset(content_type) or "utf-8"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FeedError(f"wrong encoding: not valid {encoding} ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FeedError(f"malformed JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise FeedError("JSON without a `results` list: not a Federal Register documents answer")
    if "results" not in data and "count" not in data:
        raise FeedError("JSON without a `results` list: not a Federal Register documents answer")
    items: list[NewsItem] = []
    for doc in data.get("results", []):
        if not isinstance(doc, dict):
            continue
        number = str(doc.get("document_number") or "").strip()
        link = doc.get("html_url") if isinstance(doc.get("html_url"), str) else None
        keys = item_keys(link, None, number or None)
        if not keys:
            continue
        agencies = ", ".join(
            a.get("name", "") for a in doc.get("agencies") or [] if isinstance(a, dict) and a.get("name")
        )
        published = doc.get("publication_date")
        items.append(
            NewsItem(
                title=plain_text(str(doc.get("title") or number)),
                link=link if link and normalise_link(link) else None,
                published=published if isinstance(published, str) else None,
                summary=" ".join(p for p in (plain_text(doc.get("abstract")), agencies) if p),
                keys=keys,
                source_kind=KIND_FEDERAL_REGISTER,
            )
        )
    return Parsed(title="Federal Register", items=items)


def parse_source(kind: str, body: bytes, content_type: str = "") -> Parsed:
    if kind == KIND_FEDERAL_REGISTER:
        return parse_federal_register(body, content_type)
    return parse_feed(body, content_type)


# -- sources -----------------------------------------------------------------------------------


def source_kind(url: str) -> str:
    """`federal_register` for the documents API, else `rss` (RSS or Atom)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host == "federalregister.gov" and parts.path.rstrip("/").startswith("/api/v1/documents"):
        return KIND_FEDERAL_REGISTER
    return KIND_RSS


def federal_register_search_url(terms: Sequence[str] = FRAMEWORK_TERMS, per_page: int = 20) -> str:
    """The documents API searching for any of `terms` (each a quoted phrase), newest first."""
    query = " | ".join(f'"{t}"' for t in terms)
    return (
        FEDERAL_REGISTER_API
        + "?"
        + urlencode([("conditions[term]", query), ("order", "newest"), ("per_page", str(per_page))])
    )


def search_terms_of(url: str) -> list[str]:
    """The phrases a Federal Register search URL looks for (quoted, or `|`-separated)."""
    values = parse_qs(urlsplit(url).query).get("conditions[term]", [])
    terms: list[str] = []
    for value in values:
        quoted = re.findall(r'"([^"]+)"', value)
        terms.extend(quoted or [t.strip() for t in value.split("|") if t.strip()])
    return terms


def validate_url(url: str) -> str | None:
    """The reason `url` cannot be a source, or None when it can."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "that is not a URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "only http:// and https:// URLs can be watched"
    if not parts.hostname:
        return "that URL has no host"
    return None


# -- matching ----------------------------------------------------------------------------------


def term_pattern(term: str) -> re.Pattern[str]:
    """Whole words, any whitespace between them; a plain plural (`s`, `es`) of a term that
    ends in a letter counts too, so `frontier model` finds "frontier models"."""
    words = [re.escape(w) for w in term.split()]
    plural = "(?:e?s)?" if term[-1:].isalpha() else ""
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + plural + r"(?![\w-])", re.IGNORECASE)


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Terms trimmed, blank ones dropped, duplicates (ignoring case) dropped; order kept."""
    seen: dict[str, str] = {}
    for term in terms:
        term = _SPACE.sub(" ", term).strip()
        if term and term.lower() not in seen:
            seen[term.lower()] = term
    return list(seen.values())


def match_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms found in `text`, as given, in the order given."""
    return [t for t in clean_terms(terms) if term_pattern(t).search(text)]


def match_item(
    item: NewsItem,
    keywords: Sequence[str],
    tracked_names: dict[str, str],
    *,
    search_is_filter: bool = False,
) -> Match:
    """What `item` matched: the source's keywords, and tracked developer and model names
    (`tracked_names` maps a name to its developer id). With `search_is_filter` (a Federal
    Register search without keywords of its own) every item counts as matched."""
    text = f"{item.title}\n{item.summary}"
    terms = match_terms(text, [*keywords, *tracked_names])
    developer_ids = list(dict.fromkeys(tracked_names[name] for name in tracked_names if name in terms))
    if not terms and search_is_filter:
        terms = [SEARCH_MATCH_LABEL]
    return Match(terms=terms, developer_ids=developer_ids)


def parse_keywords(text: str) -> list[str]:
    """Keywords typed after a URL: comma-separated, or words with "quoted phrases"."""
    text = text.replace("\u201c", '"').replace("\u201d", '"').strip()
    if "," in text:
        return clean_terms(p.strip().strip('"') for p in text.split(","))
    phrases = re.findall(r'"([^"]+)"', text)
    rest = re.sub(r'"[^"]*"', " ", text)
    return clean_terms([*phrases, *rest.split()])


def is_stale(published: str | None, now: datetime, max_age_days: int) -> bool:
    """True when an item says it was published more than `max_age_days` before `now`."""
    if not published:
        return False
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(published[:10]), datetime.min.time())
        except ValueError:
            return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).days > max_age_days
