"""The baseline: a bare Bolt app on the same server stack, answering with canned replies.

Waitress (same thread count) serving Bolt's WSGI SlackRequestHandler, like HTTP mode
(handlers/http/runtime.py). Each slash command is answered with a reply of the same size
as Review Watch's answer to it: the JSON file at BENCH_REPLIES maps "command text" to the
app's reply (read at the first request; a command it lacks gets a plain ack). A command
from channel ACK_CHANNEL is answered in the ack; any other through `response_url`, as
Review Watch answers. Run as `python -m bench.bare_app` with SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL, PORT (and BENCH_REPLIES) set; stops on SIGTERM.

It also loads the libraries the design requires of any Review Watch (sqlite-utils,
APScheduler's background scheduler, httpx): memory is compared with a bare Bolt app that
carries them, as decided when the idle-memory goal was left open (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import create_server

COMMANDS = ("/holdouts", "/deadlines", "/aireview")
ACK_CHANNEL = "CBAREACK0"


def build_bare_app() -> App:
    token = os.environ["SLACK_BOT_TOKEN"]
    app = App(
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"], timeout=10),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )
    replies: dict[str, dict[str, Any]] = {}

    def canned(command: dict[str, Any]) -> dict[str, Any] | None:
        if not replies and os.environ.get("BENCH_REPLIES"):
            replies.update(json.loads(Path(os.environ["BENCH_REPLIES"]).read_text()))
        return replies.get(f"{command['command']} {command.get('text', '')}".strip())

    def answer(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        reply = canned(command)
        if reply is None:
            ack()
        elif command.get("channel_id") == ACK_CHANNEL:
            ack(**reply)
        else:
            ack()
            respond(**reply)

    for name in COMMANDS:
        app.command(name)(answer)
    return app


def load_base_libraries() -> None:
    """What every Review Watch carries, by design, loaded as the app loads it: numpy and pandas
    kept out of sqlite-utils (bot/ops/memory.py), which would import them only to accept their
    values."""
    for optional in ("numpy", "pandas"):
        sys.modules.setdefault(optional, None)  # type: ignore[arg-type]  # `import` raises ImportError
    import apscheduler.schedulers.background  # noqa: F401
    import httpx  # noqa: F401
    import sqlite_utils  # noqa: F401


def main() -> int:
    load_base_libraries()
    server = create_server(
        SlackRequestHandler(build_bare_app(), path="/slack/events"),
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        threads=8,
        ident="bare-bolt",
        clear_untrusted_proxy_headers=True,
    )

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
