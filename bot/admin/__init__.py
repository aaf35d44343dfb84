"""Admin edits: the modal forms (`forms`: Block Kit and validation) and what a submitted
form changes in the tracker (`edits`), with `/aireview admin` and `/aireview update`
(`commands`, the only part loaded at start; the rest loads when an admin first uses it)."""

from bot.admin.commands import ADMIN_SUBCOMMANDS, no_admin_home_section

__all__ = ["ADMIN_SUBCOMMANDS", "no_admin_home_section"]
