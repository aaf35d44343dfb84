"""Several sources per fact, month-precision published dates, a claim's own new source, and
the source of each date shown (issue 26, item 12). The forms are submitted as Slack sends
them (signed view_submission payloads); validation stays inline."""

from __future__ import annotations

import csv
import io
from typing import Any

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from bot.exports.files import csv_export
from storage.facts import add_source, citations_for, contests_for, fact_sources, source_label
from tests.bot.admin.test_contest_forms import open_form, submit
from tests.bot.read.test_commands import ask, shown
from tests.conftest import ADMIN_ID
from tests.support.admin_forms import ack_body, submit_view
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import dispatch_command

WIRE = "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026"


def status_form(app: App, emu: SlackEmulator, developer: str) -> dict[str, Any]:
    dispatch_command(
        app, "/aireview", f"update {developer}", user_id=ADMIN_ID, response_url=emu.response_url("u")
    )
    view: dict[str, Any] = emu.last("views.open").args["view"]
    return view


def test_a_fact_cites_several_sources_and_a_new_one_keeps_its_month(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    db = deps.store.db
    axios = add_source(
        db, actor=ADMIN_ID, at=deps.clock.now(), publisher="Axios", url="https://axios.example/meta"
    )
    politico = add_source(
        db, actor=ADMIN_ID, at=deps.clock.now(), publisher="Politico", citation="Politico Pro"
    )
    view = status_form(app, slack_emulator, "meta")
    body = ack_body(
        submit_view(
            app,
            view,
            ADMIN_ID,
            status="holdout",
            effective_date="2026-07-20",
            source_pick=[str(axios["id"]), str(politico["id"])],
        )
    )
    assert body == {}
    cited = fact_sources(citations_for(db, "developer", ["meta"]), "meta", "status")
    assert {s["id"] for s in cited} == {axios["id"], politico["id"]}
    text = shown(ask(app, slack_emulator, "/aireview", "status meta"))
    assert "Axios — https://axios.example/meta; Politico (Politico Pro)" in text

    # A new source published "in July": stored as 2026-07, shown as July 2026.
    view = status_form(app, slack_emulator, "xai")
    body = ack_body(
        submit_view(
            app,
            view,
            ADMIN_ID,
            note="Confirmed again.",
            effective_date="2026-07-20",
            source="https://example.gov/notice",
            source_title="Agency notice",
            source_published="2026-07-09",
            source_published_precision="month",
        )
    )
    assert body == {}
    cited_xai = citations_for(db, "developer", ["xai"])["xai"]
    [new] = {s["id"]: s for f in cited_xai.values() for s in f if s.get("url")}.values()
    assert new["published"] == "2026-07"
    assert source_label(new) == "Agency notice, July 2026 — https://example.gov/notice"

    # Same inline validation as before: a published date ahead of today is refused under it.
    view = status_form(app, slack_emulator, "xai")
    body = ack_body(
        submit_view(
            app,
            view,
            ADMIN_ID,
            note="x",
            effective_date="2026-07-20",
            source="Bulletin",
            source_published="2026-09-01",
        )
    )
    assert "later than today" in body["errors"][ids.BLOCK_SOURCE_PUBLISHED]


def test_the_contest_form_takes_a_claims_own_new_source(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    form = open_form(app, slack_emulator, ids.ACTION_ADMIN_CONTEST)
    claims = {
        "claim_a": "Microsoft agreed in May",
        "claim_a_source": None,
        "claim_a_new_source": "https://example.org/msft-may",
        "claim_b": "Microsoft agreed in April",
        "claim_b_source": None,
        "claim_b_new_source": "Trade bulletin 12",
    }
    # A link that is not http(s) is refused inline, under that claim's new source.
    bad = submit(
        app,
        form,
        "microsoft",
        fact="agreement_date",
        reason="Dates differ",
        **{**claims, "claim_a_new_source": "ftp://example.org/x"},
    )
    assert list(bad["errors"]) == [ids.BLOCK_CLAIM_A_NEW_SOURCE]
    # Neither a recorded nor a new source: refused under the claim's source.
    none = submit(
        app,
        form,
        "microsoft",
        fact="agreement_date",
        reason="Dates differ",
        **{**claims, "claim_b_new_source": None},
    )
    assert list(none["errors"]) == [ids.BLOCK_CLAIM_B_SOURCE]
    assert submit(app, form, "microsoft", fact="agreement_date", reason="Dates differ", **claims) == {}
    [contest] = contests_for(deps.store.db, "developer", ["microsoft"])["microsoft"]
    assert [(c.text, c.source_label) for c in contest.claims] == [
        ("Microsoft agreed in May", "https://example.org/msft-may"),
        ("Microsoft agreed in April", "Trade bulletin 12"),
    ]
    text = shown(ask(app, slack_emulator, "/aireview", "status microsoft"))
    assert "Trade bulletin 12 says “Microsoft agreed in April”" in text


def test_each_event_date_shows_its_source_and_events_csv_has_a_column_per_fact(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    text = shown(ask(app, slack_emulator, "/aireview", "status anthropic"))
    assert f"_Date: June 2026, from {WIRE}_" in text  # "earlier this month", the wire summary says
    rows = list(csv.DictReader(io.StringIO(csv_export(deps, "events").content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "id",
        "effective",
        "reported",
        "kind",
        "developers",
        "summary",
        "effective_sources",
        "summary_sources",
        "sources",
        "note",
        "as_of",
        "contested",
        "contested_claims",
        "updated_at",
        "updated_by_id",
        "updated_by_name",
    ]
    order = next(r for r in rows if r["kind"] == "order")
    assert order["effective"] == "2026-06-02" and order["effective_sources"] == WIRE
    assert order["sources"] == f"{WIRE}; Stocktwits (citing The New York Times), June 2026"
