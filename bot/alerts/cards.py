"""The alert as an Adaptive Card for Microsoft Teams (bot/cardkit.py has the primitives)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.alerts.alert import Alert
from bot.alerts.blocks import alert_content
from bot.alerts.briefing import KIND_BRIEFING, briefing_card
from bot.cardkit import (
    Element,
    adaptive_card,
    fact_set,
    fit_envelope,
    link_url,
    open_url,
    text_block,
    webhook_envelope,
)
from bot.settings import Settings


def alert_card(alert: Alert, now: datetime, settings: Settings) -> dict[str, Any]:
    """The webhook envelope carrying one alert as an Adaptive Card."""
    if alert.kind == KIND_BRIEFING:
        return briefing_card(alert, now, settings)
    content = alert_content(alert, now, settings)
    body: list[Element] = [
        text_block(f"Review Watch · {content.kind_label}", subtle=True, size="Small"),
        text_block(content.headline, weight="Bolder", size="Medium"),
    ]
    facts: list[tuple[str, str]] = []
    if content.when:
        facts.append(("When", content.when + (f" by {content.actor}" if content.actor else "")))
    if alert.kind != "digest":
        source = content.source or "not recorded"
        if content.as_of:
            source += f" · as of {content.as_of}"
        facts.append(
            ("Source", source + (" (contested)" if content.contested and not content.contests else ""))
        )
    if facts:
        body.append(fact_set(facts))
    body += [text_block(f"⚠️ {c}", limit=1200) for c in content.contests]
    body += [text_block(w) for w in content.why]
    body += [text_block(f"• {line}", limit=500) for line in content.lines]
    actions = []
    # Fixed labels: the card never shows text of the feed's or tracker's choosing as a link.
    if link_url(content.link):
        actions.append(open_url("Open", str(content.link)))
    elif link_url(content.source):
        actions.append(open_url("Source", str(content.source)))
    return fit_envelope(webhook_envelope(adaptive_card(body, actions)))


def update_card(
    alert: Alert,
    change: str,
    when: str,
    actor: str | None,
    source: str | None,
    now: datetime,
    settings: Settings,
) -> dict[str, Any]:
    """The follow-up card for a Teams alert whose fact changed (Workflows posts cannot be edited)."""
    content = alert_content(alert, now, settings)
    body: list[Element] = [
        text_block(f"Review Watch · Update · {content.kind_label}", subtle=True, size="Small"),
        text_block(f"Updated: {content.headline}", weight="Bolder", size="Medium"),
        fact_set(
            [
                ("What changed", change),
                ("When", when),
                ("Recorded by", actor or "unknown"),
                ("Source", source or "not recorded"),
                *([("Now", content.when)] if content.when else []),
            ]
        ),
    ]
    body += [text_block(w) for w in content.why]
    actions = [open_url("Source", str(source))] if link_url(source) else []
    return fit_envelope(webhook_envelope(adaptive_card(body, actions)))
