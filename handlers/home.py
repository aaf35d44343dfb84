"""Publishing a person's App Home (on opening it, and after they change the tracker)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.deps import Deps
from bot.read import home_view
from handlers.directory import SlackDirectory

log = logging.getLogger(__name__)


def refresh_home_timeline(deps: Deps, client: WebClient) -> None:
    """Upload a new timeline picture for the App Home when the tracker (or the day) changed
    since the last one; most opens find it current and upload nothing."""
    from bot.exports import timeline  # the picture code loads at the first App Home opened

    version = timeline.stale_home_timeline(deps)
    if version is None:
        return
    picture = timeline.timeline_file(deps)
    file_id = None
    if picture is not None:
        try:
            # No channel: a file of the app's own, which the App Home's image block shows.
            response = client.files_upload_v2(
                content=picture.content,
                filename=picture.filename,
                title=picture.title,
                alt_txt=picture.title,
            )
            file_id = response["files"][0]["id"]
        except (SlackClientError, KeyError, IndexError):
            log.exception("uploading the App Home timeline failed; keeping the previous one")
            return
    timeline.remember_home_timeline(deps, version, file_id)


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    refresh_home_timeline(deps, client)
    client.views_publish(user_id=user_id, view=home_view(deps, user_id, SlackDirectory(client)))
