"""Operations: the process itself and its operators' tools. The local console (`console`),
`/healthz` (`health`), start-up mode choice (`startup`), the text reports of the CLI verbs
(`reports`), logging (`logging_setup`) and the process's memory tricks (`memory`, called
once by app.py at start-up).

Other features may use `allow_optional_library` (the timeline picture lets numpy back in) and
`raise_open_files_limit` (waitress's connections, OAuth mode's open workspace databases)."""

from bot.ops.memory import allow as allow_optional_library
from bot.ops.startup import raise_open_files_limit

__all__ = ["allow_optional_library", "raise_open_files_limit"]
