"""Start-up decisions that need no Slack framework: which mode to run, and its errors."""

from __future__ import annotations

from bot.settings import Settings

MODE_SOCKET = "socket"
MODE_HTTP = "http"


class StartupError(Exception):
    """Start-up cannot go on; the message is one line naming what to fix."""


def choose_mode(settings: Settings) -> str:
    """Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode when SLACK_SIGNING_SECRET is.
    OAuth mode (many workspaces, docs/install.md) is HTTP mode only."""
    if settings.oauth_mode:
        return _oauth_mode(settings)
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise StartupError(
            "no way to reach Slack: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
            "(HTTP mode), with SLACK_BOT_TOKEN; to try the commands without Slack, run "
            "`python app.py console`"
        )
    if not settings.slack_bot_token and settings.slack_sign_in:
        raise StartupError(
            "REVIEWWATCH_TOKEN_KEY is not set: OAuth mode (SLACK_CLIENT_ID without SLACK_BOT_TOKEN) "
            "keeps each workspace's tokens encrypted with it; make one with "
            "`python app.py rotate-token-key --new`, or set SLACK_BOT_TOKEN for one workspace"
        )
    if not settings.slack_bot_token:
        raise StartupError(
            "SLACK_BOT_TOKEN is not set: set it to the app's Bot User OAuth Token (xoxb-...); "
            "to try the commands without Slack, run `python app.py console`"
        )
    return MODE_SOCKET if settings.slack_app_token else MODE_HTTP


def _oauth_mode(settings: Settings) -> str:
    if settings.slack_app_token:
        raise StartupError(
            "OAuth mode (SLACK_CLIENT_ID with REVIEWWATCH_TOKEN_KEY) runs in HTTP mode only: "
            "unset SLACK_APP_TOKEN"
        )
    if settings.slack_bot_token:
        raise StartupError(
            "SLACK_BOT_TOKEN is for one workspace; in OAuth mode each workspace's token comes from "
            "its install: unset SLACK_BOT_TOKEN (or REVIEWWATCH_TOKEN_KEY for one workspace)"
        )
    if not settings.slack_signing_secret:
        raise StartupError("OAuth mode runs in HTTP mode: set SLACK_SIGNING_SECRET (Basic Information)")
    return MODE_HTTP


def raise_open_files_limit(wanted: int) -> int | None:
    """Raise the process's open-files soft limit to `wanted` (up to the hard limit) if it is
    lower; the one place both waitress's connections and OAuth mode's open workspace
    databases ask for room. Returns the soft limit now in force (None: unlimited)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        except (ValueError, OSError):
            pass  # keep the limit there is: each caller fits itself into it
    return None if soft == resource.RLIM_INFINITY else int(soft)
