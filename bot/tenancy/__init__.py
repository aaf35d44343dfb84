"""Many workspaces (issue 28, docs/workspaces.md): in OAuth mode each installed workspace has
a database of its own, and every request and job works on the one it belongs to.

- `routing.py`: the current workspace (a context variable), the store and caches that follow it;
- `workspaces.py`: the registry and each workspace's open database, made on first use;
- `setup.py`: `routed_deps`, a Deps whose store and caches follow the current workspace;
- `tokens.py`: `BotTokens`, where jobs get each workspace's bot token (bot/install implements it);
- `jobs.py`: the scheduler's jobs run for every workspace, side by side, each with its own token;
- `forget.py`: `forget_workspace`, what an uninstall deletes (docs/data-retention.md).
"""

from bot.tenancy.forget import forget_workspace, forgetter
from bot.tenancy.routing import current_workspace, enter_workspace, in_workspace
from bot.tenancy.setup import enable_workspaces, home_store, routed_deps
from bot.tenancy.tokens import BotTokens
from bot.tenancy.workspaces import UnknownWorkspace, Workspaces

__all__ = [
    "BotTokens",
    "UnknownWorkspace",
    "Workspaces",
    "current_workspace",
    "enable_workspaces",
    "enter_workspace",
    "forget_workspace",
    "forgetter",
    "home_store",
    "in_workspace",
    "routed_deps",
]
