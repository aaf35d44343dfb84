"""The tests' remembering painter: each distinct picture drawn once, by the real worker."""

from __future__ import annotations

from bot.deps import Deps
from bot.exports import timeline
from tests.support.pictures import REMEMBERING_PAINTER, RememberingPainter


def test_the_same_data_is_drawn_once_and_other_data_again(deps: Deps) -> None:
    assert deps.painter is REMEMBERING_PAINTER  # what every test's Deps draws with
    painter = RememberingPainter(keep=1)
    data = timeline.timeline_data(deps, 90)
    assert data is not None

    png, _ = painter.draw(data)
    assert png.startswith(b"\x89PNG") and painter.drawn == 1
    assert painter.draw(data) == (png, None) and painter.drawn == 1  # remembered

    wider = timeline.timeline_data(deps, 120)
    assert wider is not None and painter.draw(wider)[0] != png and painter.drawn == 2
    assert painter.draw(data)[0] == png and painter.drawn == 3  # keep=1: forgotten, drawn again
