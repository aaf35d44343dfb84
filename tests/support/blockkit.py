"""A Block Kit validator for tests: Slack's documented limits, checked on real output.

    assert message_errors({"text": reply.text, "blocks": reply.blocks}) == []
    assert view_errors(view) == []

It checks what Slack would reject (or silently cut): block counts, text lengths, header
length, fields count and length, context and actions sizes, id lengths, duplicate ids,
modal title and private_metadata size, and that every message has a `text` fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_HEADER = 150
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_INPUT_LABEL = 2000
MAX_STATIC_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
STATIC_SELECTS = {"static_select", "multi_static_select"}
EXTERNAL_SELECTS = {"external_select", "multi_external_select"}
# Table block: at most 100 rows of at most 20 cells, one table per message, messages only.
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_ALT_TEXT = 2000

BLOCK_TYPES = {"section", "header", "context", "divider", "actions", "input", "image", "rich_text", "table"}
# Mentions a user's text must never produce: <!channel>, <!here>, <!everyone>, <@U...>, <#C...>.
_SPECIAL = re.compile(r"<(!channel|!here|!everyone|@[UW][A-Z0-9]+|#C[A-Z0-9]+|!subteam\^[A-Z0-9]+)")


def _text_errors(where: str, obj: Any, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where}: not a text object: {obj!r}"[:300]]
    errors = []
    if plain_only and obj["type"] != "plain_text":
        errors.append(f"{where}: must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        errors.append(f"{where}: empty text")
    elif len(text) > limit:
        errors.append(f"{where}: {len(text)} characters > {limit}")
    return errors


def _element_errors(where: str, element: dict[str, Any], action_ids: set[str]) -> list[str]:
    errors = []
    action_id = element.get("action_id")
    if action_id is not None:
        if len(action_id) > MAX_ID:
            errors.append(f"{where}: action_id longer than {MAX_ID}")
        if action_id in action_ids:
            errors.append(f"{where}: duplicate action_id {action_id!r}")
        action_ids.add(action_id)
    if element.get("type") == "button":
        errors += _text_errors(f"{where}.text", element.get("text"), MAX_BUTTON_TEXT, plain_only=True)
        if len(element.get("value", "")) > MAX_BUTTON_VALUE:
            errors.append(f"{where}: value longer than {MAX_BUTTON_VALUE}")
    kind = element.get("type")
    if kind in STATIC_SELECTS or kind in EXTERNAL_SELECTS:
        errors += _select_errors(where, element)
    return errors


def option_errors(where: str, option: Any) -> list[str]:
    """An option object as Slack takes it: plain text up to 75 characters, a value up to 150."""
    if not isinstance(option, dict):
        return [f"{where}: not an option object"]
    errors = _text_errors(f"{where}.text", option.get("text"), MAX_OPTION_TEXT, plain_only=True)
    if "description" in option:
        errors += _text_errors(
            f"{where}.description", option["description"], MAX_OPTION_TEXT, plain_only=True
        )
    value = option.get("value")
    if not isinstance(value, str) or not value or len(value) > MAX_OPTION_VALUE:
        errors.append(f"{where}: value must be 1..{MAX_OPTION_VALUE} characters: {value!r}")
    return errors


def _select_errors(where: str, element: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    kind = element["type"]
    if kind in STATIC_SELECTS:
        options = element.get("options") or []
        if not 1 <= len(options) <= MAX_STATIC_OPTIONS:  # Slack refuses the view beyond 100
            errors.append(f"{where}: {len(options)} options (1..{MAX_STATIC_OPTIONS})")
        for j, option in enumerate(options):
            errors += option_errors(f"{where}.options[{j}]", option)
    elif "options" in element:
        errors.append(f"{where}: an {kind} gets its options from the app, not the view")
    chosen = element.get("initial_options", [])
    if "initial_option" in element:
        chosen = [element["initial_option"]]
    for j, option in enumerate(chosen):
        errors += option_errors(f"{where}.initial[{j}]", option)
        if kind in STATIC_SELECTS and option not in element.get("options", []):
            errors.append(f"{where}: initial option {option.get('value')!r} is not one of the options")
    return errors


def block_errors(blocks: list[dict[str, Any]], limit: int) -> list[str]:
    errors: list[str] = []
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    if len(blocks) > limit:
        errors.append(f"{len(blocks)} blocks > {limit}")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            errors.append(f"{where}: unknown block type {kind!r}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(block_id) > MAX_ID:
                errors.append(f"{where}: block_id longer than {MAX_ID}")
            if block_id in block_ids:
                errors.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        action_ids: set[str] = set()
        if kind == "header":
            errors += _text_errors(f"{where}.text", block.get("text"), MAX_HEADER, plain_only=True)
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"{where}: section needs text or fields")
            if "text" in block:
                errors += _text_errors(f"{where}.text", block["text"], MAX_TEXT)
            fields = block.get("fields", [])
            if len(fields) > MAX_FIELDS:
                errors.append(f"{where}: {len(fields)} fields > {MAX_FIELDS}")
            for j, f in enumerate(fields):
                errors += _text_errors(f"{where}.fields[{j}]", f, MAX_FIELD)
            if "accessory" in block:
                errors += _element_errors(f"{where}.accessory", block["accessory"], action_ids)
        elif kind == "context":
            elements = block.get("elements", [])
            if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
                errors.append(f"{where}: context has {len(elements)} elements (1..{MAX_CONTEXT_ELEMENTS})")
            for j, e in enumerate(elements):
                if e.get("type") in ("plain_text", "mrkdwn"):
                    errors += _text_errors(f"{where}.elements[{j}]", e, MAX_TEXT)
        elif kind == "actions":
            elements = block.get("elements", [])
            if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
                errors.append(f"{where}: actions has {len(elements)} elements (1..{MAX_ACTIONS_ELEMENTS})")
            for j, e in enumerate(elements):
                errors += _element_errors(f"{where}.elements[{j}]", e, action_ids)
        elif kind == "image":
            if ("image_url" in block) == ("slack_file" in block):
                errors.append(f"{where}: image needs exactly one of image_url and slack_file")
            if not 0 < len(block.get("alt_text", "")) <= MAX_ALT_TEXT:
                errors.append(f"{where}: image alt_text must be 1..{MAX_ALT_TEXT} characters")
        elif kind == "table":
            rows = block.get("rows", [])
            if not rows or len(rows) > MAX_TABLE_ROWS:
                errors.append(f"{where}: table has {len(rows)} rows (1..{MAX_TABLE_ROWS})")
            for j, row in enumerate(rows):
                if len(row) > MAX_TABLE_CELLS:
                    errors.append(f"{where}.rows[{j}]: {len(row)} cells > {MAX_TABLE_CELLS}")
                for k, cell in enumerate(row):
                    if cell.get("type") not in ("raw_text", "rich_text"):
                        errors.append(f"{where}.rows[{j}][{k}]: cell type {cell.get('type')!r}")
                    elif cell["type"] == "raw_text" and not cell.get("text"):
                        errors.append(f"{where}.rows[{j}][{k}]: empty raw_text")
            if len(block.get("column_settings", [])) > MAX_TABLE_CELLS:
                errors.append(f"{where}: more than {MAX_TABLE_CELLS} column_settings")
        elif kind == "input":
            errors += _text_errors(f"{where}.label", block.get("label"), MAX_INPUT_LABEL, plain_only=True)
            if isinstance(block.get("element"), dict):
                errors += _element_errors(f"{where}.element", block["element"], action_ids)
    return errors


def message_errors(message: dict[str, Any]) -> list[str]:
    """Problems Slack would have with a chat.postMessage / respond payload."""
    errors = []
    if sum(1 for b in message.get("blocks") or [] if b.get("type") == "table") > 1:
        errors.append("more than one table block in a message")
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append("message has no text fallback")
    return errors + block_errors(message.get("blocks") or [], MAX_MESSAGE_BLOCKS)


def view_errors(view: dict[str, Any]) -> list[str]:
    """Problems Slack would have with a home or modal view."""
    errors = block_errors(view.get("blocks", []), MAX_VIEW_BLOCKS)
    if any(b.get("type") == "table" for b in view.get("blocks", [])):
        errors.append("table blocks are for messages, not views")
    if view.get("type") == "modal":
        errors += _text_errors("title", view.get("title"), MAX_MODAL_TITLE, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                errors += _text_errors(key, view[key], MAX_MODAL_BUTTON, plain_only=True)
    elif view.get("type") != "home":
        errors.append(f"unknown view type {view.get('type')!r}")
    if len(view.get("private_metadata", "")) > MAX_PRIVATE_METADATA:
        errors.append(f"private_metadata longer than {MAX_PRIVATE_METADATA}")
    if len(view.get("callback_id", "")) > MAX_CALLBACK_ID:
        errors.append(f"callback_id longer than {MAX_CALLBACK_ID}")
    return errors


def texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every text string in `blocks`, as Slack receives it (mrkdwn unrendered)."""
    for block in blocks:
        for key in ("text", "label", "title"):
            obj = block.get(key)
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                yield obj["text"]
        for obj in block.get("fields", []) + block.get("elements", []):
            if isinstance(obj, dict):
                if isinstance(obj.get("text"), str):
                    yield obj["text"]
                elif isinstance(obj.get("text"), dict):
                    yield obj["text"].get("text", "")


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """The mrkdwn texts in `blocks`: where Slack turns <!channel> or <@U...> into mentions."""
    for block in blocks:
        objs = [block.get("text")] + block.get("fields", []) + block.get("elements", [])
        for obj in objs:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                yield obj.get("text", "")


def visible_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(texts(blocks))


def special_mentions(text: str) -> list[str]:
    """Mentions that would notify someone (<!channel>, <@U...>, ...) found in `text`."""
    return _SPECIAL.findall(text)
