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


def submit_form_values(
    deps: Deps, form: str, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Any:
    """A form submitted from elsewhere than Slack (a Teams dialog): `status`, `deadline`,
    `model`, `event`, `developer` (a new one), `remove` (a model or deadline: `meta` has its
    entity), `contest` or `settle`, with the same validation, version check, save and history as the
    Slack modal; `values` keyed by the form's block ids, `meta` its private metadata ({"id",
    "version"}; a new event: no id). Returns saving.Outcome. The caller has checked that
    `user_id` is an admin."""
    from bot.admin.submit_facts import submit_contest, submit_event, submit_settle
    from bot.admin.submit_records import (
        submit_deadline,
        submit_model,
        submit_new_developer,
        submit_remove,
        submit_status,
    )

    submit = {
        "status": submit_status,
        "deadline": submit_deadline,
        "model": submit_model,
        "event": submit_event,
        "remove": submit_remove,
    }
    if form in submit:
        return submit[form](deps, None, user_id, values, meta)
    without_directory = {
        "developer": submit_new_developer,
        "contest": submit_contest,
        "settle": submit_settle,
    }
    return without_directory[form](deps, user_id, values, meta)


def fact_choices() -> list[tuple[str, str]]:
    """The facts a contest may be about, as the Slack contest form offers them."""
    from bot.admin.modal import FACT_CHOICES

    return list(FACT_CHOICES)


def news_values(deps: Deps, item_id: int, form: str) -> dict[str, Any] | None:
    """A news item as the status or event form's prefilled values (opening.news_form_values)."""
    from bot.admin.opening import news_form_values

    return news_form_values(deps, item_id, form)


def settle_options(deps: Deps) -> list[tuple[str, str]]:
    """The ways to settle a contest, as the Slack form offers them (opening.settle_choices)."""
    from bot.admin.opening import settle_choices

    return settle_choices(deps)


__all__ = [
    "ADMIN_SUBCOMMANDS",
    "fact_choices",
    "news_values",
    "no_admin_home_section",
    "settle_options",
    "submit_form_values",
]
