"""Admin edits: the modal forms that keep the tracker current, and `/aireview admin` and
`/aireview update`.

- `commands`: the two subcommands and the App Home note while no admin is configured; the
  only part loaded at start (the rest loads when an admin first opens or submits a form).
- `modal`: what every form is made of (field limits and choices, Block Kit inputs, the
  source part, `private_metadata`, a submitted view's state flattened).
- `forms`: each form's Block Kit, prefilled with the record's current values.
- `validation`: what a submitted form may hold, errors per field.
- `opening`: the view a button opens (or its picker), news items into forms, admin checks.
- `saving`: the steps every submission shares (version check, new source, save, the reply).
- `submit_records`: developer status, new developer, model, deadline, removal, the picker.
- `submit_facts`: events, contests, resolving and reopening a contest.
- `edits`: a submission to the form's submitter, the confirmation, the two commands.
"""

from typing import Any

from bot.admin.commands import ADMIN_SUBCOMMANDS, no_admin_home_section
from bot.deps import Deps


def submit_status_values(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Any:
    """The status form submitted from elsewhere than Slack (a Teams dialog): the same
    validation, version check, save and history; `values` keyed by the form's block ids,
    `meta` its private metadata ({"id", "version"}). Returns saving.Outcome. The caller has
    checked that `user_id` is an admin."""
    from bot.admin.submit_records import submit_status

    return submit_status(deps, None, user_id, values, meta)


__all__ = ["ADMIN_SUBCOMMANDS", "no_admin_home_section", "submit_status_values"]
