"""The App Home's timeline picture: which upload it shows, the tracker version it was drawn
from and when, and the section that shows it (current, or "as of" its time when the
tracker has changed since and a fresh one is being drawn).

The listener (handlers/home.py) publishes the App Home at once with the picture it has,
and has the fresh one drawn and uploaded off the request path, then publishes again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot import domain
from bot.blockkit import fmt_datetime
from bot.deps import Deps
from bot.exports.choices import DEFAULT_DAYS, PAST_DAYS
from storage.tracker import get_state, latest_history_id, set_state

# app_state row: the picture the App Home shows, the tracker version it was drawn from and
# when it was drawn.
HOME_STATE_KEY = "home_timeline"
HOME_ALT_TEXT = "Timeline of deadlines, review windows, releases and events per developer"


def _home_state(deps: Deps) -> dict[str, Any]:
    raw = get_state(deps.store.db, HOME_STATE_KEY)
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def home_timeline_version(deps: Deps) -> str:
    """Changes when the picture would: every tracker change writes a history row, and the
    "today" line moves each day."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    return f"{latest_history_id(deps.store.db)}:{today.isoformat()}:{deps.settings.review_window_days}"


def stale_home_timeline(deps: Deps) -> str | None:
    """The current version when the App Home's picture is out of date, else None."""
    version = home_timeline_version(deps)
    return None if _home_state(deps).get("version") == version else version


def remember_home_timeline(deps: Deps, version: str, file_id: str | None, drawn_at: datetime) -> None:
    """Record the uploaded picture (None: nothing in range, so no picture) for `version`,
    drawn from the tracker as it was at `drawn_at`."""
    state = {"version": version, "file_id": file_id, "drawn_at": drawn_at.isoformat()}
    set_state(deps.store.db, HOME_STATE_KEY, json.dumps(state))


def _caption(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def timeline_home_section(deps: Deps, user_id: str, admin: bool) -> list[dict[str, Any]]:
    """The App Home's picture: an image block of the last uploaded timeline. When the tracker
    (or the day) changed since it was drawn, it says so and when it was drawn; one drawn
    before that time was recorded is left out until the fresh one is ready."""
    state = _home_state(deps)
    file_id = state.get("file_id")
    if not file_id:
        return []
    if state.get("version") == home_timeline_version(deps):
        caption = (
            f"The next {DEFAULT_DAYS} days and the last {PAST_DAYS}; redrawn when the "
            "tracker changes. `/aireview timeline [days]` posts it in a conversation."
        )
    elif state.get("drawn_at"):
        drawn = fmt_datetime(str(state["drawn_at"]), deps.settings.tz)
        caption = (
            f":hourglass_flowing_sand: As of {drawn}: the tracker or the day has changed since, "
            "so this picture may be out of date; an up-to-date one replaces it here in a moment."
        )
    else:
        return []
    return [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Timeline"}},
        {"type": "image", "slack_file": {"id": str(file_id)}, "alt_text": HOME_ALT_TEXT},
        _caption(caption),
    ]
