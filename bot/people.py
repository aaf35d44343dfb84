"""People's names instead of Slack user ids, wherever people read who did something
(alert cards, Teams answers, the iCal description, CSV).

Names come from the workspace directory (`users.info`, through `Deps.directory`, which
the running app builds from the bot token) and are cached in `Deps.user_names` for
DIRECTORY_CACHE_LIFETIME on the injected clock. A name is never worth failing an answer:
when the directory cannot be reached, the last known name or the id itself is shown, and
one answer tries the directory at most once after a failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.deps import Deps
from bot.directory import Directory, DirectoryUnavailable

log = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def is_user_id(actor: str | None) -> bool:
    return bool(actor) and bool(_USER_ID.match(str(actor)))


def names_for(deps: Deps, actors: Iterable[str | None], directory: Directory | None = None) -> dict[str, str]:
    """`{actor: what to show}`: a person's name for a Slack user id (the id when unknown or
    unreachable); anything else (`seed`, a Teams sender) as it is."""
    directory = directory or deps.directory
    now = deps.clock.now()
    shown: dict[str, str] = {}
    for actor in {a for a in actors if a}:
        if not is_user_id(actor):
            shown[actor] = actor
            continue
        cached = deps.user_names.fresh(actor, now)
        if cached is None and directory is not None:
            try:
                cached = directory.user_name(actor) or ""  # "": no name, known to have none
            except DirectoryUnavailable as exc:
                log.warning("could not look up the name of %s: %s", actor, exc)
                directory = None  # the rest of this answer uses what is known
            else:
                deps.user_names.put(actor, cached, now)
        if cached is None:
            cached = deps.user_names.last(actor)
        shown[actor] = cached or actor
    return shown


def person_name(deps: Deps, actor: str | None, directory: Directory | None = None) -> str:
    """One actor's name (see names_for); "unknown" when there is no actor."""
    if not actor:
        return "unknown"
    return names_for(deps, [actor], directory)[actor]
