"""The baseline: a bare Bolt app whose slash commands only ack, on the same server stack.

Waitress (same thread count) serving Bolt's WSGI SlackRequestHandler, like HTTP mode
(handlers/http/runtime.py). Run as `python -m bench.bare_app` with SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL and PORT set; stops on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import create_server

COMMANDS = ("/holdouts", "/deadlines", "/aireview")


def build_bare_app() -> App:
    token = os.environ["SLACK_BOT_TOKEN"]
    app = App(
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"], timeout=10),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    def only_ack(ack: Ack) -> None:
        ack()

    for name in COMMANDS:
        app.command(name)(only_ack)
    return app


def main() -> int:
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
