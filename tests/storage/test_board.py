"""The board's sign-in links and sessions in SQLite (storage/board.py, migration m021)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.board import (
    BoardPerson,
    board_team,
    claim_board_team,
    link_usable,
    redeem_link,
    save_link,
    save_session,
    session_person,
)
from storage.db import Store

AT = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
PERSON = BoardPerson("U0READER1", "T0EMULATE")


def test_a_link_is_redeemed_once_before_it_expires(store: Store) -> None:
    save_link(store.db, "hash-1", PERSON, at=AT, expires=AT + timedelta(minutes=15))

    assert link_usable(store.db, "hash-1", AT)
    assert redeem_link(store.db, "hash-1", AT + timedelta(minutes=1)) == PERSON
    assert redeem_link(store.db, "hash-1", AT + timedelta(minutes=2)) is None
    assert not link_usable(store.db, "hash-1", AT)


def test_an_expired_or_unknown_link_is_not_redeemed(store: Store) -> None:
    save_link(store.db, "hash-1", PERSON, at=AT, expires=AT + timedelta(minutes=15))

    assert redeem_link(store.db, "hash-1", AT + timedelta(minutes=15)) is None
    assert redeem_link(store.db, "nosuch", AT) is None


def test_expired_links_and_sessions_are_forgotten_when_new_ones_are_saved(store: Store) -> None:
    save_link(store.db, "old", PERSON, at=AT, expires=AT + timedelta(minutes=15))
    save_session(store.db, "old", PERSON, at=AT, expires=AT + timedelta(days=7))
    later = AT + timedelta(days=8)

    save_link(store.db, "new", PERSON, at=later, expires=later + timedelta(minutes=15))
    save_session(store.db, "new", PERSON, at=later, expires=later + timedelta(days=7))

    assert [r["token_hash"] for r in store.db.query("SELECT token_hash FROM board_links")] == ["new"]
    assert [r["token_hash"] for r in store.db.query("SELECT token_hash FROM board_sessions")] == ["new"]


def test_a_session_answers_until_it_expires(store: Store) -> None:
    save_session(store.db, "s", PERSON, at=AT, expires=AT + timedelta(days=7))

    assert session_person(store.db, "s", AT + timedelta(days=6)) == PERSON
    assert session_person(store.db, "s", AT + timedelta(days=7)) is None


def test_the_first_workspace_to_ask_owns_the_board(store: Store) -> None:
    assert board_team(store.db) is None

    assert claim_board_team(store.db, "T0EMULATE") == "T0EMULATE"
    assert claim_board_team(store.db, "T0THEIRS1") == "T0EMULATE"
