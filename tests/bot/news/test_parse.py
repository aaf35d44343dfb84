"""The pure news rules: parsing RSS 2.0, Atom and Federal Register JSON into items, item
identity across sources, and keyword matching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.news import parse as news
from tests.support import paths

FIXTURES = paths.FIXTURES / "news"
NAMES = {"Meta": "meta", "Google DeepMind": "google-deepmind", "Muse Spark": "meta", "xAI": "xai"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss2_items_have_plain_titles_links_dates_and_keys() -> None:
    parsed = news.parse_feed(fixture("policywire_rss2.xml"), "application/rss+xml; charset=UTF-8")
    assert parsed.title == "Policy Wire: Technology"
    assert parsed.warning is None
    first = parsed.items[0]
    assert first.title == "Meta says it is still \u201cworking through the details\u201d of review agreement"
    assert first.published == "2026-07-23T18:40:00+00:00"
    assert first.summary == "A spokesperson said the company hopes to sign soon."
    # tracking parameters and the trailing slash do not make a different story
    assert first.keys == [
        "url:https://policywire.example/2026/07/23/meta-review-agreement",
        "guid:policywire-88410",
    ]


def test_atom_items_and_federal_register_links_carry_the_document_number() -> None:
    parsed = news.parse_feed(fixture("techdesk_atom.xml"), "application/atom+xml")
    assert parsed.title == "Tech Desk"
    first = parsed.items[0]
    assert first.title == "Commerce sets out frontier model review process"
    assert "fr:2026-15012" in first.keys
    assert first.summary == "The notice describes how CAISI runs reviews."


def test_federal_register_json_becomes_items_keyed_by_document_number() -> None:
    parsed = news.parse_federal_register(fixture("federal_register.json"), "application/json; charset=utf-8")
    assert [i.title for i in parsed.items] == [
        "Frontier AI Model Pre-Release Review Process",
        "Request for Information on Evaluation Methods for Advanced AI Systems",
    ]
    doc = parsed.items[0]
    assert doc.keys[0] == "fr:2026-15012"
    assert doc.published == "2026-07-24"
    assert doc.link and doc.link.startswith("https://www.federalregister.gov/documents/2026/07/24/")
    assert "Commerce Department" in doc.summary


def test_same_story_has_a_shared_key_across_sources() -> None:
    rss = news.parse_feed(fixture("policywire_rss2_update.xml"))
    atom = news.parse_feed(fixture("techdesk_atom.xml"))
    fr = news.parse_federal_register(fixture("federal_register.json"))
    assert set(rss.items[0].keys) & set(atom.items[2].keys)  # http vs https, utm, trailing slash
    assert set(atom.items[0].keys) & set(fr.items[0].keys)  # FR link vs document number


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"<!DOCTYPE html><html><body><p>Subscribe!</p></body></html>", "text/html", "HTML page"),
        (b"<html><head><title>x</title></head></html>", "application/xml", "HTML page"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A',
            "application/rss+xml",
            "malformed XML",
        ),
        (b"{not xml at all", "application/xml", "malformed XML"),
        (b"", "application/rss+xml", "empty response"),
        (b'<?xml version="1.0"?><note><to>x</to></note>', "application/xml", "not an RSS or Atom feed"),
    ],
)
def test_unreadable_feeds_raise_a_feed_error_saying_why(body: bytes, content_type: str, problem: str) -> None:
    with pytest.raises(news.FeedError, match=problem):
        news.parse_feed(body, content_type)


def test_wrong_encoding_is_read_past_with_a_warning() -> None:
    body = fixture("policywire_rss2.xml").replace(b"Senate", "S\xe9nate".encode("latin-1"))
    parsed = news.parse_feed(body, "application/rss+xml; charset=utf-8")
    assert parsed.warning and "wrong encoding" in parsed.warning
    assert parsed.items[1].title.startswith("S\u00e9nate panel")


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b'{"count": 1, "results": [', "application/json", "malformed JSON"),
        (b"<!doctype html><html></html>", "text/html", "HTML page"),
        (
            '{"count": 1, "results": [{"title": "Caf\u00e9"}]}'.encode("latin-1"),
            "application/json",
            "wrong encoding",
        ),
        (b'{"errors": {"conditions": "invalid"}}', "application/json", "not a Federal Register"),
        (b"[1, 2]", "application/json", "not a Federal Register"),
    ],
)
def test_unreadable_federal_register_answers_raise(body: bytes, content_type: str, problem: str) -> None:
    with pytest.raises(news.FeedError, match=problem):
        news.parse_federal_register(body, content_type)


def test_matching_is_case_insensitive_whole_words_and_phrases() -> None:
    terms = ["frontier model", "CAISI", "Meta", "AI"]
    assert news.match_terms("New FRONTIER\n  Model rules from caisi", terms) == ["frontier model", "CAISI"]
    assert news.match_terms("Metadata and meta-analysis; frontier modeling", terms) == []
    assert news.match_terms("Two frontier models, three AIs", terms) == ["frontier model", "AI"]
    assert news.match_terms("Meta's deal (AI)", terms) == ["Meta", "AI"]
    assert news.match_terms("said: \u201cMeta\u201d", terms) == ["Meta"]


def test_tracked_names_count_as_keywords_and_name_the_developer() -> None:
    item = news.NewsItem(
        title="Muse Spark successor expected",
        link=None,
        published=None,
        summary="xAI and Meta executives testified.",
        keys=["guid:1"],
    )
    match = news.match_item(item, ["testified"], NAMES)
    assert match.terms == ["testified", "Meta", "Muse Spark", "xAI"]
    assert match.developer_ids == ["meta", "xai"]
    nothing = news.NewsItem(title="Weather", link=None, published=None, summary="", keys=["guid:2"])
    assert not news.match_item(nothing, ["testified"], NAMES).matched


def test_a_federal_register_search_without_keywords_is_its_own_filter() -> None:
    item = news.NewsItem(
        title="Notice",
        link=None,
        published=None,
        summary="",
        keys=["fr:1"],
        source_kind=news.KIND_FEDERAL_REGISTER,
    )
    assert news.match_item(item, [], NAMES, search_is_filter=True).terms == [news.SEARCH_MATCH_LABEL]


def test_keywords_typed_after_a_url() -> None:
    assert news.parse_keywords('"frontier model", CAISI,  export controls') == [
        "frontier model",
        "CAISI",
        "export controls",
    ]
    assert news.parse_keywords("CAISI \u201cfrontier model\u201d caisi") == ["frontier model", "CAISI"]
    assert news.parse_keywords("") == []


def test_default_search_url_asks_for_the_framework_terms_newest_first() -> None:
    url = news.federal_register_search_url()
    assert url.startswith("https://www.federalregister.gov/api/v1/documents.json?")
    assert "order=newest" in url
    assert news.search_terms_of(url) == list(news.FRAMEWORK_TERMS)
    assert news.source_kind(url) == news.KIND_FEDERAL_REGISTER
    assert news.source_kind("https://policywire.example/feed.xml") == news.KIND_RSS


def test_only_http_and_https_sources() -> None:
    assert news.validate_url("https://policywire.example/feed.xml") is None
    assert news.validate_url("file:///etc/passwd")
    assert news.validate_url("ftp://example.com/feed")
    assert news.validate_url("https://")


def test_stale_items() -> None:
    now = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
    assert news.is_stale("2026-06-01", now, 14)
    assert not news.is_stale("2026-07-16", now, 14)
    assert not news.is_stale("2026-07-24T13:00:00+00:00", now, 14)
    assert not news.is_stale(None, now, 14)
