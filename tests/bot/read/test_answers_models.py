"""/aireview models and /aireview status list models SQLite picks, counts and reads
(bot.read.answers.models_answer): checked against the plain computation over every row
(storage.tracker.list_models through bot.domain) on randomized trackers full of edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import domain
from bot.read import answers, blocks
from bot.read.answers import MODELS_LISTED, STATUS_MODELS
from bot.read.answers.models import _model_entry
from bot.teams.status_card import status_card as teams_status_card
from storage.db import open_store
from storage.tracker import get_developer, list_models
from tests.bot.read.test_answers_upcoming import deps_for, fill_random_tracker


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_listed_models_and_counts_match_the_full_computation(tmp_path: Path, seed: int) -> None:
    store = open_store(tmp_path / "models.db")
    try:
        fill_random_tracker(store, seed)
        now = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
        deps = deps_for(store, "America/New_York", now, 30)
        today = domain.today_in(deps.settings.tz, now)
        for developer_id in (None, "dev-03", "dev-05", "dev-13"):
            developer = get_developer(store.db, developer_id) if developer_id else None
            full = [_model_entry(m, today, 30) for m in list_models(store.db, developer_id)]
            for shown in (0, 1, STATUS_MODELS, MODELS_LISTED, len(full) + 5):
                answer = answers.models_answer(deps, developer, shown=shown)
                assert answer.models == full[:shown]
                assert answer.total == len(full)
                assert answer.overdue == sum(1 for m in full if m.overdue)
            # What users read: the Slack reply and the status card say as much as before.
            reply = blocks.models_reply(answers.models_answer(deps, developer))
            assert f"{len(full)} model" in reply.text or (not full and "No models" in reply.text)
        developer = get_developer(store.db, "dev-05")
        assert developer is not None
        status = answers.developer_status(deps, developer)
        assert status.models.total == len(list_models(store.db, "dev-05")) > STATUS_MODELS
        card = str(teams_status_card(status, "today", "Review Watch"))
        assert f"Models ({status.models.total})" in card
        slack = str(blocks.status_reply(status, "today").blocks)
        assert f"*Models* ({status.models.total})" in slack
        assert f"and {status.models.total - STATUS_MODELS} more" in slack
    finally:
        store.close()
