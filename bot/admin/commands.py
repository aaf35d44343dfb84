"""What the admin feature puts in the running app: `/aireview admin`, `/aireview update` and
`/aireview admins` in the command table, and the App Home's note while no admin is configured.

The forms (`opening`, `forms`) and what a submission changes (`edits`) load when an admin first
opens a form or submits one (docs/benchmarks.md: imports at start)."""

from __future__ import annotations

from bot.admins import admins_configured, denial_text
from bot.blockkit import Block, escape, section
from bot.deps import Deps
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand


def run_admin(deps: Deps, request: CommandRequest) -> Reply:
    from bot.admin import edits

    return edits.run_admin(deps, request)


def run_admins(deps: Deps, request: CommandRequest) -> Reply:
    from bot.admin import admins_command

    return admins_command.run_admins(deps, request)


def run_update(deps: Deps, request: CommandRequest) -> Reply | None:
    from bot.admin import edits

    return edits.run_update(deps, request)


ADMIN_SUBCOMMANDS = (
    Subcommand(
        name="admin",
        usage="admin",
        summary="Admins: menu of forms to change the tracker",
        example="/aireview admin",
        run=run_admin,
        admin_only=True,
        surfaces=(SURFACE_SLACK,),
    ),
    Subcommand(
        name="update",
        usage="update <developer>",
        summary="Admins: update a developer's agreement status (opens a form)",
        example="/aireview update meta",
        run=run_update,
        admin_only=True,
        surfaces=(SURFACE_SLACK,),
    ),
    Subcommand(
        name="admins",
        usage="admins [add @user | remove @user | group <user group id> | group off]",
        summary="Who the admins are; admins add or remove one, or set the admin user group",
        example="/aireview admins add @dana",
        run=run_admins,
        surfaces=(SURFACE_SLACK,),
    ),
)


def no_admin_home_section(deps: Deps, user_id: str, admin: bool) -> list[Block]:
    """On every App Home while no admin is configured: how to configure one."""
    if admins_configured(deps):
        return []
    return [section(f":information_source: {escape(denial_text(deps))}")]
