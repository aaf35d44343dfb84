"""The news watch: parsing RSS/Atom and the Federal Register (`parse`), fetching with
limits (`feed_client`), the periodic fetch, matching and `/aireview feeds` (`watch`).

Only `commands` loads with the app (the command, the schedule, the date line); the rest
loads when a fetch or a command first needs it."""

from bot.news.commands import FEEDS_SUBCOMMAND, add_news_job, feeds_list_reply, feeds_reply, published_text

__all__ = ["FEEDS_SUBCOMMAND", "add_news_job", "feeds_list_reply", "feeds_reply", "published_text"]
