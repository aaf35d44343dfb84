"""Text reports for the operations commands (`python app.py sweep`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blockkit import fmt_datetime


def sweep_report(result: Any) -> list[str]:
    """Lines describing one sweep (a bot.alerts.sweep.SweepResult): for a dry run, what would be
    sent to whom; otherwise what was sent, skipped and failed."""
    lines: list[str] = []
    tz = result.settings.tz if result.settings is not None else None

    def local(at: datetime | str) -> str:  # "Jul 24, 2026 10:00 EDT": the team's time, as in Slack
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        return fmt_datetime(at, tz) if tz is not None else at.isoformat(timespec="minutes")

    when = local(result.at)
    if result.dry_run:
        lines.append(f"Dry run at {when}: {len(result.planned)} alert(s) would be sent; nothing was changed.")
        for item in result.planned:
            retry = " (retry)" if item.get("retry") else ""
            lines.append(
                f"  would send to {item['target']}{retry}: [{item['kind']}] {item['headline']} "
                f"(due {local(item['due_at'])})"
            )
        for key, reason in result.skipped:
            lines.append(f"  would skip {key}: {reason}")
        for sub in result.new_subscriptions:
            lines.append(
                f"  new: {sub['target']} gets its default subscription (every kind, lead days "
                f"{','.join(str(d) for d in sub['lead_days'])}, real time) at the first sweep; "
                + ("its next alerts:" if sub["next"] else "no alert is due for it yet")
            )
            lines += [f"    {local(a['due_at'])}: [{a['kind']}] {a['headline']}" for a in sub["next"]]
        return lines
    lines.append(
        f"Sweep at {when}: {len(result.sent)} sent, {len(result.already_posted)} found already "
        f"posted, {len(result.skipped)} skipped, {len(result.failed)} to retry, "
        f"{len(result.permanent)} failed permanently."
    )
    titles = {item["key"]: item for item in result.planned}
    for key in result.sent:
        item = titles.get(key, {})
        target, kind = item.get("target", "?"), item.get("kind", "?")
        lines.append(f"  sent to {target}: [{kind}] {item.get('headline', key)}")
    for key, error in result.failed:
        lines.append(f"  will retry {key}: {error}")
    for key, error in result.permanent:
        lines.append(f"  FAILED {key}: {error}")
    return lines
