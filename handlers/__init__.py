"""Bolt listeners. Each surface module has `register(app, deps)`; build_app wires them all."""

from __future__ import annotations

import contextvars
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.settings import Settings
from handlers.verification import use_strict_verification
from storage.db import Store

if TYPE_CHECKING:
    from bot.tenancy import Workspaces

T = TypeVar("T")


def web_client(
    settings: Settings, token: str | None = None, *, logger: logging.Logger | None = None
) -> WebClient:
    """The one way the app makes a Web API client: honours SLACK_API_URL."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        logger=logger,  # None: slack_sdk's own logger
    )


LISTENER_WORKERS = 5  # Bolt's own default
BOLT_APP_NAME = "__init__.py"  # what Bolt names an App built here (and its loggers, in log lines)


class ReleasingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, each task giving back its thread's database connection, and
    running in the context it was handed over in (the workspace a request belongs to,
    bot/tenancy/routing.py)."""

    def __init__(self, store: Store, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="bolt-listener")
        self.store = store

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, self.store.releasing(fn), *args, **kwargs)


def slack_client(deps: Deps, token: str | None = None) -> WebClient:
    return web_client(deps.settings, token)


def register_all(app: App, deps: Deps) -> None:
    from handlers import actions, alerts, commands, errors, events, feeds, menus, views

    for module in (errors, commands, events, actions, views, menus, feeds, alerts):
        module.register(app, deps)


@contextmanager
def _client_id_hidden_from_bolt(hide: bool) -> Iterator[None]:
    """Bolt turns on its own OAuth flow, and ignores the bot token, when it finds
    SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in the environment. Without OAuth settings of
    ours they are the board's "Sign in with Slack" (docs/board.md): the bot keeps its token."""
    names = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
    saved = {name: os.environ.pop(name) for name in names if hide and name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def build_app(
    deps: Deps,
    *,
    client: WebClient | None = None,
    on_uninstall: Callable[[str | None, str | None], None] | None = None,
    workspaces: Workspaces | None = None,
    **app_kwargs: Any,
) -> App:
    """A Bolt App with every listener registered. In OAuth mode (docs/install.md) it installs
    through Add to Slack, and `on_uninstall(team_id, enterprise_id)` runs after an uninstall
    has deleted that installation's credentials (with many workspaces: `forget_workspace`,
    docs/data-retention.md). With `workspaces` (default: `deps.runtime.workspaces`, set by
    bot.tenancy.enable_workspaces), each request is routed to its workspace's database first
    (handlers/tenancy.py)."""
    signing_secret = app_kwargs.pop("signing_secret", None) or deps.settings.slack_signing_secret
    client = client or slack_client(deps)
    installations = None
    if deps.settings.oauth_mode and "oauth_flow" not in app_kwargs:
        from handlers.install import NOT_INSTALLED, build_oauth

        parts = build_oauth(deps, client)
        app_kwargs.update(
            oauth_flow=parts.flow,
            authorize=parts.authorize,
            user_facing_authorize_error_message=NOT_INSTALLED,
        )
        installations, deps.runtime.bot_tokens = parts.installations, parts.tokens
    # Listeners run on Bolt's worker threads; each gives its database connection back when
    # it ends (storage/db.py Store.release), so idle workers hold none.
    app_kwargs.setdefault("listener_executor", ReleasingExecutor(deps.store, max_workers=LISTENER_WORKERS))
    # The name Bolt gives its loggers would otherwise be found by walking the whole call stack
    # with its source files (inspect.stack, tens of milliseconds per App): it is this file's.
    app_kwargs.setdefault("name", BOLT_APP_NAME)
    with _client_id_hidden_from_bolt(app_kwargs.get("oauth_settings") is None):
        app = App(client=client, signing_secret=signing_secret, **app_kwargs)
    use_strict_verification(app, signing_secret or "")
    workspaces = workspaces or deps.runtime.workspaces
    if workspaces is not None:
        from bot.tenancy import forgetter
        from handlers.tenancy import workspace_router

        app.use(workspace_router(workspaces))
        on_uninstall = on_uninstall or forgetter(workspaces)
    if installations is not None:
        from handlers.install import no_uninstall_work, register_install_listeners

        register_install_listeners(app, installations, on_uninstall or no_uninstall_work)
        if workspaces is not None:
            from bot.tenancy.setup import installer_admitter

            installations.on_save.append(installer_admitter(workspaces))
    register_all(app, deps)
    return app
