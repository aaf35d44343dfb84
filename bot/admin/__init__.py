"""Admin edits: the modal forms (`forms`: Block Kit and validation) and what a submitted
form changes in the tracker (`edits`), with `/aireview admin` and `/aireview update`."""

from bot.admin.edits import ADMIN_SUBCOMMANDS, no_admin_home_section

__all__ = ["ADMIN_SUBCOMMANDS", "no_admin_home_section"]
