"""The tracked models (/aireview models, and the models of /aireview status), as plain data:
each model's review status, window, release and sources, and the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import domain
from bot.blockkit import fmt_date, fmt_when
from bot.deps import Deps
from bot.read.answers.sourcing import contest_lines, labels, plural, sources_text
from storage.dates import PartialDate
from storage.facts import Citations, citations_for, fact_sources
from storage.tracker import model_listing


@dataclass(frozen=True)
class ModelEntry:
    id: int
    developer_id: str
    developer_name: str
    name: str
    status_label: str
    planned_release: date | None
    window_opens: date | None
    submitted: PartialDate | None
    released: PartialDate | None
    overdue: bool
    note: str | None
    source: str | None
    contested: bool
    as_of: str | None = None
    contests: tuple[str, ...] = ()

    def facts(self, today: date, warning: str) -> list[str]:
        """What a model's line says after its name, in order; Slack and Teams both list these."""
        parts = [f"{warning} overdue for submission"] if self.overdue else []
        if self.released and self.status_label == domain.REVIEW_STATUS_LABELS["released"]:
            parts.append(f"released {fmt_when(self.released)}")  # the status says no more
        elif self.released:
            parts += [self.status_label, f"released {fmt_when(self.released)}"]
        else:
            parts.append(self.status_label)
        if self.released:
            pass  # said above
        elif self.planned_release and self.window_opens:
            opens, release = (self.window_opens - today).days, (self.planned_release - today).days
            opens_in = domain.deadline_countdown(self.window_opens, opens)
            parts.append(f"window opens {fmt_date(self.window_opens)} ({opens_in})")
            parts.append(f"release {fmt_date(self.planned_release)} ({domain.countdown(release)})")
        else:
            parts.append("no planned release date")
        if self.submitted:
            parts.append(f"submitted {fmt_when(self.submitted)}")
        if self.contested:
            parts.append(f"{warning} contested")
        return parts


def _model_entry(
    model: dict[str, Any],
    today: date,
    window_days: int,
    cited: Citations | None = None,
    contests: list[str] | None = None,
) -> ModelEntry:
    fact = "released" if model.get("released") else "review_status"
    sources = sources_text(labels(fact_sources(cited or {}, model["id"], fact)))
    return ModelEntry(
        id=model["id"],
        developer_id=model["developer_id"],
        developer_name=model.get("developer_name") or model["developer_id"],
        name=model["name"],
        status_label=domain.model_status_label(model),
        planned_release=domain.parse_date(model.get("planned_release")),
        window_opens=domain.review_window_opens(model, window_days),
        submitted=domain.parse_fact_date(model.get("submitted")),
        released=domain.parse_fact_date(model.get("released")),
        overdue=domain.is_overdue(model, today, window_days),
        note=model.get("note"),
        source=sources or model.get("source"),
        contested=bool(model.get("contested")),
        as_of=model.get("as_of"),
        contests=tuple(contests or ()),
    )


# How many models a surface lists before "…and N more": /aireview models, and /aireview status.
MODELS_LISTED = 60
STATUS_MODELS = 10


@dataclass(frozen=True)
class ModelsAnswer:
    developer: dict[str, Any] | None  # None: every developer's models
    models: list[ModelEntry]  # the first `shown` of them, in listing order
    total: int  # how many models there are
    overdue: int  # how many of those are overdue for submission
    today: date

    @property
    def summary(self) -> str:
        whose = self.developer["name"] if self.developer else "all tracked developers"
        if not self.total:
            return f"No models are tracked for {whose}."
        line = f"{plural(self.total, 'model')} tracked for {whose}"
        return line + (f"; {self.overdue} overdue for submission" if self.overdue else "")


def models_answer(
    deps: Deps, developer: dict[str, Any] | None = None, shown: int = MODELS_LISTED
) -> ModelsAnswer:
    """The models a surface lists (the first `shown`) and the counts, all from SQLite."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    window_days = deps.settings.review_window_days
    rows, total, overdue = model_listing(
        deps.store.db, developer["id"] if developer else None, shown, today, window_days
    )
    # Each listed model's citations and open contests (only what a surface lists is read).
    listed = [str(m["id"]) for m in rows]
    cited = citations_for(deps.store.db, "model", listed)
    contests = contest_lines(deps, "model", [str(m["id"]) for m in rows if m.get("contested")])
    entries = [_model_entry(m, today, window_days, cited, contests.get(str(m["id"]))) for m in rows]
    return ModelsAnswer(developer=developer, models=entries, total=total, overdue=overdue, today=today)
