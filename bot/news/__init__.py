"""The news watch: parsing RSS/Atom and the Federal Register (`parse`), fetching with
limits (`feed_client`), the periodic fetch, matching and `/aireview feeds` (`watch`)."""

from bot.news.parse import published_text
from bot.news.watch import FEEDS_SUBCOMMAND, add_news_job

__all__ = ["FEEDS_SUBCOMMAND", "add_news_job", "published_text"]
