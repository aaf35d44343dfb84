"""What one sweep did, or what a dry run would do, and the report rows read from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.alerts.alert import Alert
from bot.alerts.blocks import alert_content
from bot.clock import utc_iso
from bot.settings import Settings


@dataclass
class SweepResult:
    at: datetime
    dry_run: bool = False
    sent: list[str] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)  # found in the channel on retry
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    permanent: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # left for the next run (shutdown)
    held: list[str] = field(default_factory=list)  # quiet hours: sent when they end
    handed_over: list[str] = field(default_factory=list)  # another sweep took the claim over
    # What would be / was attempted: (alert, is a retry); `planned` describes them.
    attempted: list[tuple[Alert, bool]] = field(default_factory=list)
    settings: Settings | None = None
    # Dry run: default subscriptions a real sweep would give newly configured Teams webhooks,
    # each with the next alerts it will get (a new one gets nothing already due).
    # {"target": "teams:policy", "lead_days": [...], "next": [{"due_at", "kind", "headline"}]}
    new_subscriptions: list[dict[str, Any]] = field(default_factory=list)
    _planned: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)

    @property
    def planned(self) -> list[dict[str, Any]]:
        """The attempted alerts with their headlines, built on first read (only reports read them)."""
        if self._planned is None:
            assert self.settings is not None or not self.attempted
            self._planned = [
                planned_row(alert, self.at, self.settings, retry)  # type: ignore[arg-type]
                for alert, retry in self.attempted
            ]
        return self._planned

    def summary(self) -> dict[str, Any]:
        return {
            "at": utc_iso(self.at),
            "ok": True,
            "error": None,
            "dry_run": self.dry_run,
            "sent": len(self.sent),
            "already_posted": len(self.already_posted),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "permanent": len(self.permanent),
            "deferred": len(self.deferred),
            "held": len(self.held),
            "handed_over": len(self.handed_over),
        }


def planned_row(alert: Alert, now: datetime, settings: Settings, retry: bool) -> dict[str, Any]:
    return {
        "key": alert.key,
        "target": f"{alert.target_type}:{alert.target}",
        "kind": alert.kind,
        "due_at": utc_iso(alert.due_at),
        "retry": retry,
        "headline": alert_content(alert, now, settings).headline,
    }
