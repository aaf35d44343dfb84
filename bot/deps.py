"""What listeners and jobs need, passed in explicitly (no module-level singletons)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.replies import SubcommandRegistry
from bot.settings import Settings
from storage.db import Store


@dataclass
class Deps:
    settings: Settings
    store: Store
    clock: Clock
    subcommands: SubcommandRegistry = field(default_factory=SubcommandRegistry)
    # Set at shutdown: a running sweep finishes the delivery in hand and defers the rest.
    stopping: threading.Event = field(default_factory=threading.Event)
    # Filled in by later layers as they are wired (delivery, scheduler status, caches).
    extras: dict[str, Any] = field(default_factory=dict)
