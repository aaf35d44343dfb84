"""Publishing a person's App Home (on opening it, and after they change the tracker).

The view is published at once with the timeline picture already uploaded; when that
picture is out of date (the tracker or the day changed), it says so, and a fresh one is
drawn (in the drawing worker process), uploaded and the view published again, off the
request path. `wait_for_home_pictures` lets tests and benchmarks wait for that.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.deps import Deps
from bot.read import home_view
from bot.tenancy import current_workspace
from handlers.directory import SlackDirectory

log = logging.getLogger(__name__)


def upload_home_timeline(deps: Deps, client: WebClient) -> bool:
    """Draw and upload the App Home's picture when it is out of date; False when the upload
    failed (the previous picture stays)."""
    from bot.exports import home_timeline, timeline  # the picture code loads at the first App Home

    version = home_timeline.stale_home_timeline(deps)
    if version is None:
        return True
    drawn_at = deps.clock.now()
    picture = timeline.timeline_file(deps)
    file_id = None
    if picture is not None:
        try:
            # No channel: a file of the app's own, which the App Home's image block shows.
            response = client.files_upload_v2(
                content=picture.content,
                filename=picture.filename,
                title=picture.title,
                alt_txt=picture.alt_text or picture.title,
            )
            file_id = response["files"][0]["id"]
        except (SlackClientError, KeyError, IndexError):
            log.exception("uploading the App Home timeline failed; keeping the previous one")
            return False
    home_timeline.remember_home_timeline(deps, version, file_id, drawn_at)
    return True


class HomePictures:
    """Fresh App Home pictures, drawn one at a time on a thread of their own. People who open
    their App Home while one is being drawn wait for that one; each gets the view again
    once it is uploaded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="home-picture")
        # by store and workspace (bot/tenancy): one workspace's people get its picture
        self._waiting: dict[tuple[int, str | None], tuple[Deps, WebClient, set[str]]] = {}
        self._pending: set[Future[None]] = set()

    def refresh(self, deps: Deps, client: WebClient, user_id: str) -> None:
        with self._lock:
            key = (id(deps.store), current_workspace())
            waiting = self._waiting.get(key)
            if waiting is not None:
                waiting[2].add(user_id)
                return
            self._waiting[key] = (deps, client, {user_id})
            future = self._runner.submit(contextvars.copy_context().run, self._redraw, key)
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _redraw(self, key: tuple[int, str | None]) -> None:
        with self._lock:
            deps, client, _ = self._waiting[key]
        try:
            uploaded = upload_home_timeline(deps, client)
        except Exception:  # noqa: BLE001 - the view published already; a later open retries
            log.exception("drawing the App Home timeline failed")
            uploaded = False
        with self._lock:
            _, client, users = self._waiting.pop(key)
        if not uploaded:
            return
        for user_id in sorted(users):
            try:
                client.views_publish(user_id=user_id, view=home_view(deps, user_id, SlackDirectory(client)))
            except Exception:  # noqa: BLE001 - one person's view must not stop the others'
                log.exception("republishing the App Home of %s failed", user_id)

    def wait(self, timeout: float = 120.0) -> None:
        """Until every picture asked for so far is drawn and its views published."""
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            done, not_done = wait_all(pending, timeout)
            if not_done:
                raise TimeoutError(f"{len(not_done)} App Home picture(s) not ready in {timeout} s")


HOME_PICTURES = HomePictures()


def wait_for_home_pictures(timeout: float = 120.0) -> None:
    """Tests' and benchmarks' hook: wait for the App Home pictures being drawn."""
    HOME_PICTURES.wait(timeout)


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    """Publish `user_id`'s App Home now; redraw its picture afterwards if it is out of date."""
    from bot.exports import home_timeline

    client.views_publish(user_id=user_id, view=home_view(deps, user_id, SlackDirectory(client)))
    if home_timeline.stale_home_timeline(deps) is not None:
        HOME_PICTURES.refresh(deps, client, user_id)
