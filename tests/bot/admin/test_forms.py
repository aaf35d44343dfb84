"""bot/admin/modal.py, forms.py and validation.py: state flattening on Slack's documented
shapes, and the pure validators."""

from __future__ import annotations

import json

import pytest

from bot import ids
from bot.admin import forms, modal, validation
from tests.support.blockkit import view_errors
from tests.support.slack_requests import fixture_path

DEVELOPERS = [
    {
        "id": "meta",
        "name": "Meta",
        "status": "negotiating",
        "status_since": "2026-06-03",
        "version": 3,
        "source": "NYT",
        "note": "<!channel> note",
        "contested": 0,
        "updated_by": "seed",
        "updated_at": "2026-06-03T12:00:00+00:00",
    },
]


def test_flatten_state_reads_select_datepicker_and_text_as_slack_sends_them() -> None:
    payload = json.loads(
        fixture_path("view_submission.java-sdk.static_select_datepicker_plain_text.json").read_text()
    )
    assert modal.flatten_state(payload["view"]["state"]) == {
        "date-of-visit": "2019-09-23",
        "rating": "3",
        "comment": "Just amazing!",
    }


def test_flatten_state_reads_url_number_and_empty_inputs() -> None:
    state = json.loads(fixture_path("view_state.java-sdk.url_email_number_date_time_inputs.json").read_text())
    flat = modal.flatten_state(state)
    assert flat["url-block"] == "https://www.example.com/" and flat["number-block"] == "12345"
    assert flat["time-block"] == "01:00" and flat["date-block"] == "2022-10-19"
    empty = {
        "values": {
            "a": {"x": {"type": "plain_text_input", "value": "   "}},
            "b": {"x": {"type": "static_select", "selected_option": None}},
            "c": {"x": {"type": "checkboxes", "selected_options": []}},
        }
    }
    assert modal.flatten_state(empty) == {"a": None, "b": None, "c": []}
    assert modal.flatten_state(None) == {}


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("NYT, June 3, 2026", True),
        ("https://www.nytimes.com/2026/06/03/x.html", True),
        ("http://example.gov", True),
        ("ftp://example.gov/file", False),
        ("https://", False),
        ("https:///path-only", False),
        ("www.example.gov", False),
        ("https://exa mple.gov", False),
    ],
)
def test_source_must_be_an_http_url_with_a_host_or_citation_text(source: str, ok: bool) -> None:
    assert (validation.source_problem(source) is None) is ok


def test_forms_fit_slack_limits_escape_text_and_carry_their_context() -> None:
    status = forms.status_form(DEVELOPERS[0], channel="C1")
    model = forms.model_form(
        {"id": 7, "version": 2, "developer_id": "meta", "name": "X"}, developer=DEVELOPERS[0]
    )
    views = [
        status,
        forms.developer_form(),
        model,
        forms.deadline_form(),
        forms.remove_form("model", {"id": 7, "version": 2, "planned_release": None}, "Meta / <X>"),
        forms.pick_form("deadline", "edit"),
        modal.notice_view("Admins only", "No."),
    ]
    for view in views:
        assert view_errors(view) == [], view["callback_id"]
    assert json.loads(status["private_metadata"]) == {
        "entity": "developer",
        "id": "meta",
        "version": 3,
        "channel": "C1",
    }
    assert json.loads(model["private_metadata"]) == {"entity": "model", "id": 7, "version": 2}
    assert "&lt;X&gt;" in json.dumps(views[4])


def test_metadata_that_is_not_ours_reads_as_empty() -> None:
    assert modal.load_metadata("shhh-its-secret") == {} and modal.load_metadata("[1]") == {}


def test_model_dates_must_be_in_order_and_plausible() -> None:
    values = {
        ids.BLOCK_DEVELOPER: "meta",
        ids.BLOCK_NAME: "M",
        ids.BLOCK_REVIEW_STATUS: "released",
        ids.BLOCK_SUBMITTED: "2026-05-02",
        ids.BLOCK_RELEASED: "2026-05-01",
    }
    _, _, errors = validation.read_model(values)
    assert list(errors) == [ids.BLOCK_SUBMITTED]
    _, _, errors = validation.read_model({**values, ids.BLOCK_SUBMITTED: "2026-04-30"})
    assert errors == {}
