"""Start-up decisions that need no Slack framework: which mode to run, and its errors."""

from __future__ import annotations

from bot.settings import Settings

MODE_SOCKET = "socket"
MODE_HTTP = "http"


class StartupError(Exception):
    """Start-up cannot go on; the message is one line naming what to fix."""


def choose_mode(settings: Settings) -> str:
    """Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode when SLACK_SIGNING_SECRET is."""
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise StartupError(
            "no way to reach Slack: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
            "(HTTP mode), with SLACK_BOT_TOKEN; to try the commands without Slack, run "
            "`python app.py console`"
        )
    if not settings.slack_bot_token:
        raise StartupError(
            "SLACK_BOT_TOKEN is not set: set it to the app's Bot User OAuth Token (xoxb-...); "
            "to try the commands without Slack, run `python app.py console`"
        )
    return MODE_SOCKET if settings.slack_app_token else MODE_HTTP
