"""Text reports for the operations commands (`python app.py sweep`)."""

from __future__ import annotations

from typing import Any


def sweep_report(result: Any) -> list[str]:
    """Lines describing one sweep (a bot.alerts.sweep.SweepResult): for a dry run, what would be
    sent to whom; otherwise what was sent, skipped and failed."""
    lines: list[str] = []
    when = result.at.isoformat(timespec="minutes")
    if result.dry_run:
        lines.append(f"Dry run at {when}: {len(result.planned)} alert(s) would be sent; nothing was changed.")
        for item in result.planned:
            retry = " (retry)" if item.get("retry") else ""
            lines.append(f"  would send to {item['target']}{retry}: [{item['kind']}] {item['headline']}")
        for key, reason in result.skipped:
            lines.append(f"  would skip {key}: {reason}")
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
