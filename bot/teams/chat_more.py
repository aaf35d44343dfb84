"""The bot's answers that Slack gives as an overview, a file, a picture or a personal link:
`alerts`, `briefing`, `feeds`, `timeline`, `export` and `board`, each an Adaptive Card with
the same facts as Slack's answer, built by the feature that builds Slack's.

- `alerts`: this conversation's bot subscription (kinds, leads, quiet time, muted subjects,
  with Unmute for admins) and its next alerts, from bot/alerts' overview (`alerts_card`).
- `briefing`: the weekly briefing's card as it stands now, picture inside; `briefing on|off`
  (admins) the Monday post to this conversation (bot/alerts/teams_bot_briefing.py).
- `feeds` (admins): the watched sources and their state, and adding, testing and removing
  one, by Slack's `/aireview feeds` code (bot/news).
- `timeline [days]`: Slack's picture (drawn by the painter worker, at most 1024 pixels on
  either side as Teams shows card images), carried in the card as an Image with a data URI
  and Slack's alt text.
- `export ics|csv [table]`: a bot can hand a file over in Teams only through the
  file-consent flow of a personal chat, so the card links to the app's own downloads (the
  board's calendar and CSV addresses) instead.
- `board`: the board's address; when it is private, a personal sign-in link (single use, 15
  minutes) only in the asker's personal chat with the bot, never in a chat others read.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from bot.cardkit import Element, link_url, open_url, rich_text, text_block, text_run
from bot.deps import Deps
from bot.replies import Reply
from bot.teams.alerts_card import alerts_answer, slack_reply_card, teams_text
from bot.teams.conversations import conversation_id
from bot.teams.reply import card_title, notice_card, reply_card, subtle

Answer = Callable[[Deps, str, Mapping[str, Any]], dict[str, Any]]

ADMINS_ONLY = (
    "Only admins see and change the watched sources: their Entra object ids are in REVIEWWATCH_TEAMS_ADMINS."
)
# Teams shows card images up to 1024 x 1024 pixels and 1 MB ("Format cards in Teams"); a
# base64 image does not count against the 100 KB bot message limit ("Format your bot messages").
CARD_IMAGE_PIXELS = 1024
CSV_PATH = "/board/csv/"
CSV_ZIP = "tracker.zip"  # handlers/http/board.py serves these paths
BOARD_CALENDAR = "/board/calendar.ics"
BOARD_PATH = "/board"
NO_ADDRESS = (
    "Downloads need the app's public address: an administrator sets REVIEWWATCH_PUBLIC_URL. "
    "From a shell: python app.py export ics|csv [table] [PATH]."
)
BOARD_OFF = "The web board is off here (REVIEWWATCH_BOARD=off), so there is nothing to download from Teams. "


def _aad(activity: Mapping[str, Any]) -> str:
    return str((activity.get("from") or {}).get("aadObjectId") or "").lower()


def _personal(activity: Mapping[str, Any]) -> bool:
    return (activity.get("conversation") or {}).get("conversationType") in (None, "personal")


def feeds_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    """`feeds [list | add <url> [keywords] | remove <id> | test <url> [keywords]]`, admins only:
    Slack's command (the same checks of the address, fetch and reply), the adder recorded as
    `teams:<Entra object id>`."""
    from bot.alerts import is_teams_admin
    from bot.news import feeds_reply

    if not is_teams_admin(deps, _aad(activity)):
        return notice_card(ADMINS_ONLY)
    return slack_reply_card(feeds_reply(deps, args, f"teams:{_aad(activity)}"))


def briefing_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    from bot.alerts import briefing_now_card, set_conversation_briefing

    word = args.strip().lower()
    if not word:
        return briefing_now_card(deps, conversation_id(activity))
    return notice_card(set_conversation_briefing(deps, conversation_id(activity), word, _aad(activity)))


def timeline_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    from bot.exports import TIMELINE_USAGE, empty_range_line, timeline_days, timeline_file_fitted

    days = timeline_days(args)
    if days is None:
        return notice_card(teams_text(TIMELINE_USAGE).replace("`", ""))
    drawn = timeline_file_fitted(deps, CARD_IMAGE_PIXELS, days)
    if drawn is None:
        return notice_card(empty_range_line(deps, days))
    picture, fitted = drawn
    image: Element = {
        "type": "Image",
        "url": "data:image/png;base64," + base64.b64encode(fitted).decode("ascii"),
        "altText": picture.alt_text or picture.title,
    }
    return reply_card([card_title(picture.title), image, text_block(picture.comment)])


def _download_links(deps: Deps, fmt: str, table: str | None) -> list[tuple[str, str]]:
    """(label, address) of the downloads for the export asked for, on the board."""
    base = deps.settings.public_url or ""
    if fmt == "ics":
        return [("Calendar of every tracked date (.ics)", f"{base}{BOARD_CALENDAR}")]
    if table is None:
        return [("Every tracker table (CSV files in a zip)", f"{base}{CSV_PATH}{CSV_ZIP}")]
    return [(f"The {table} table (CSV)", f"{base}{CSV_PATH}{table}.csv")]


def export_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    from bot.board import MODE_OFF, MODE_PRIVATE
    from bot.exports import export_choice

    choice = export_choice(args)
    if isinstance(choice, Reply):
        return notice_card(teams_text(choice.text).replace("`", ""))
    fmt, table = choice
    mode = deps.settings.board_mode
    if mode == MODE_OFF:
        return notice_card(BOARD_OFF + "From a shell: python app.py export ics|csv [table] [PATH].")
    if not link_url(deps.settings.public_url):
        return notice_card(NO_ADDRESS)
    links = _download_links(deps, fmt, table)
    body: list[Element] = [card_title("Review Watch export")]
    body += [rich_text([text_run(label, url=url)]) for label, url in links]
    if fmt == "ics" and deps.settings.calendar_token:
        body.append(subtle("A calendar app can subscribe to the live feed: ask an admin for its address."))
    if mode == MODE_PRIVATE:
        body.append(subtle("The board is private: sign in first with “board” in your personal chat with me."))
    return {**reply_card(body), "actions": [open_url("Download", links[0][1])]}


def board_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    from bot.board import LINK_LIFETIME, MODE_OFF, MODE_PUBLIC, board_url, issue_teams_link

    mode = deps.settings.board_mode
    if mode == MODE_OFF:
        return notice_card("The web board is off here (REVIEWWATCH_BOARD=off).")
    if deps.runtime.workspaces is not None:
        # OAuth mode: each board belongs to a Slack workspace, and Teams names none.
        return notice_card("The web board is per Slack workspace here: type /aireview board in Slack.")
    where = board_url(deps, BOARD_PATH)
    if mode == MODE_PUBLIC:
        return _link_card("The board is open to anyone:", where)
    if not _personal(activity):
        return notice_card(
            "Sign-in links are personal: ask “board” in your personal chat with me, "
            "and I will send one only to you."
        )
    aad = _aad(activity)
    if not aad:
        return notice_card("I could not tell who you are in Teams, so I cannot give you a sign-in link.")
    link = issue_teams_link(deps, aad)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    card = _link_card(f"Your personal sign-in link to the board, good once for {minutes} minutes:", link)
    card["body"].append(
        subtle("Do not share it; forward page addresses instead (colleagues sign in with their own link).")
    )
    if not deps.settings.public_url:
        card["body"].append(subtle("Set REVIEWWATCH_PUBLIC_URL to get full web addresses."))
    return card


def _link_card(sentence: str, url: str) -> dict[str, Any]:
    body: list[Element] = [rich_text([text_run(sentence + " "), text_run(url, url=url)])]
    card = reply_card(body)
    if link_url(url):
        card["actions"] = [open_url("Open the board", url)]
    return card


MORE_ANSWERS: dict[str, Answer] = {
    "alerts": alerts_answer,
    "briefing": briefing_answer,
    "feeds": feeds_answer,
    "timeline": timeline_answer,
    "export": export_answer,
    "board": board_answer,
}
