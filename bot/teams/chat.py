"""What the Teams bot answers to a message: every command of the one command table.

The bot hears a message in a personal chat, a group chat or a channel (with or without an
@mention; Teams sends a channel message to a bot only when it is mentioned). The command is
read as the outgoing webhook reads it (`answers.command_text`, `split_command`), then:
- a command with a Teams card of its own (`answers.CARD_ANSWERS`: holdouts, deadlines,
  status, compare, changes, help) gets that card;
- a read command without one (`models`, `history`) is answered by the same command as in
  Slack, its Block Kit carried over (`from_blocks`);
- `subscribe` and `unsubscribe` (admins) subscribe the conversation to alerts the bot sends;
- `follow`, `unfollow`, `following` in the personal chat: personal follows, as in Slack, whose
  alerts the bot sends to that chat;
- `update <developer|model|deadline>` (admins) opens its form as a Teams dialog, and
  `update` alone offers a new development (`dialogs`);
- the alerts overview, `feeds` (admins), `timeline`, `export` and `board` get their cards
  from `chat_more`;
- any other command of the table answers where in Slack it is, until it has its Teams form;
- anything else gets help, with "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from bot.deps import Deps
from bot.replies import SURFACE_TEAMS, CommandRequest, split_command
from bot.teams.answers import (
    CARD_ANSWERS,
    TeamsAnswer,
    TeamsCommand,
    app_name,
    command_text,
    help_card,
    teams_commands,
)
from bot.teams.chat_more import MORE_ANSWERS
from bot.teams.from_blocks import card_from_blocks
from bot.teams.reply import clean, notice_card, reply_activity

# Read commands answered through their Slack answer.
FROM_SLACK_BLOCKS = ("models", "history")
# Personal follows, from the personal chat with the bot, where their alerts then arrive.
FOLLOW_COMMANDS = ("follow", "unfollow", "following")
BOT_HELP_INTRO = {
    "personal": "Type a command here (no @mention needed):",
    "groupChat": "Type a command in this chat, with or without @{app}:",
    "channel": "Mention @{app} in this channel, then a command:",
}
BOT_HELP_FOOTER = (
    "Names match like in Slack: any case, slug or display name, part of a name, small typos. "
    "“follow <developer|model>” in your personal chat with the bot brings its alerts there. "
    "Admins: “subscribe” sends alerts here; “update <developer|model|deadline>” opens its form, "
    "“update” alone records a development; “alerts” shows what this conversation receives."
)


def _table(deps: Deps) -> dict[str, Any]:
    """Every command of the table by name: the slash commands and the /aireview subcommands."""
    table: dict[str, Any] = {c.name: c for c in deps.subcommands.all()}
    table.update({c.name: c for c in deps.slash_commands if c.name != "aireview"})
    return table


def bot_commands(deps: Deps) -> list[TeamsCommand]:
    """The commands the bot answers in Teams itself, `help` last."""
    offered = teams_commands(deps)
    table = _table(deps)
    extra = [
        TeamsCommand(c.name, c.usage, c.summary, c.example.removeprefix("/aireview "))
        for c in (table[name] for name in (*FROM_SLACK_BLOCKS, *MORE_ANSWERS) if name in table)
    ]
    return [c for c in offered if c.name != "help"] + extra + [c for c in offered if c.name == "help"]


def conversation_type(activity: Mapping[str, Any]) -> str:
    kind = (activity.get("conversation") or {}).get("conversationType")
    return kind if kind in BOT_HELP_INTRO else "personal"


def _help(deps: Deps, activity: Mapping[str, Any], app: str, typed: str | None = None) -> dict[str, Any]:
    commands = bot_commands(deps)
    problem = None
    if typed:
        from bot.cardkit import text_run
        from bot.teams.reply import mention

        problem = [text_run("There is no command “"), text_run(clean(typed, 40), bold=True), text_run("”.")]
        close = difflib.get_close_matches(typed.lower(), [c.name for c in commands], n=1, cutoff=0.6)
        if close:
            example = next(c.example for c in commands if c.name == close[0])
            problem.append(text_run(f" Did you mean {mention(app, example)}?"))
    intro = BOT_HELP_INTRO[conversation_type(activity)].format(app=app)
    return help_card(commands, app, problem, intro=intro, footer=BOT_HELP_FOOTER)


def _from_slack(deps: Deps, name: str, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    command = _table(deps)[name]
    user = str((activity.get("from") or {}).get("aadObjectId") or "")
    request = CommandRequest(args, user_id=user, surface=SURFACE_TEAMS, asked_in_message=True)
    reply = command.run(deps, request)
    if reply is None:
        return notice_card(f"{name}: nothing to show.")
    return card_from_blocks(reply.blocks, reply.text)


def _subscription(deps: Deps, name: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    """`subscribe` / `unsubscribe` this conversation (admins only, checked here)."""
    from bot.alerts import is_teams_admin, subscribe_conversation, unsubscribe_conversation
    from bot.teams.conversations import conversation_id

    user = str((activity.get("from") or {}).get("aadObjectId") or "")
    if not is_teams_admin(deps, user):
        return notice_card(
            f"Only admins can {name} a conversation: their Entra object ids are in REVIEWWATCH_TEAMS_ADMINS."
        )
    conversation = conversation_id(activity)
    if name == "subscribe":
        from bot.alerts import settings_button

        if subscribe_conversation(deps, conversation, user, deps.clock.now()):
            card = notice_card(
                "Subscribed: alerts of every kind come here in real time, at the default lead days "
                f"({', '.join(str(d) for d in deps.settings.lead_days)}). “unsubscribe” stops them; "
                "Alert settings changes them."
            )
        else:
            card = notice_card(
                "This conversation is subscribed already: Alert settings changes its alerts, "
                "“unsubscribe” stops them."
            )
        return {**card, "actions": [settings_button()]}
    if unsubscribe_conversation(deps, conversation):
        return notice_card("Unsubscribed: no more alerts here.")
    return notice_card("This conversation was not subscribed.")


def _follow(deps: Deps, command: Any, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    """follow / unfollow / following, as in Slack, for the personal chat's own subscription."""
    from bot.alerts import bot_target
    from bot.teams.conversations import conversation_id

    if conversation_type(activity) != "personal":
        return notice_card(
            "Follow from your personal chat with Review Watch: the alerts you follow arrive there."
        )
    person = bot_target(conversation_id(activity))
    request = CommandRequest(args, user_id=person, surface=SURFACE_TEAMS, asked_in_message=True)
    reply = command.run(deps, request)
    if reply is None:
        return notice_card("Nothing to show.")
    text = reply.text.replace("`/aireview ", "`").replace("direct messages", "messages in this chat")
    return card_from_blocks([], text)


def chat_answer(deps: Deps, activity: Mapping[str, Any]) -> TeamsAnswer:
    """The bot's reply to one message: a message Activity with one Adaptive Card."""
    app = app_name(activity)
    name, args = split_command(command_text(activity))
    table = _table(deps)
    if name in ("subscribe", "unsubscribe"):
        return TeamsAnswer(name, reply_activity(_subscription(deps, name, activity)))
    if name in FOLLOW_COMMANDS and name in table:
        return TeamsAnswer(name, reply_activity(_follow(deps, table[name], args, activity)))
    if name in ("update", "admin"):  # `admin`: the forms there are, as `update` alone
        args = "" if name == "admin" else args
        from bot.alerts import is_teams_admin
        from bot.teams.dialogs import update_command_card, user_of

        admin = is_teams_admin(deps, user_of(activity)[0])
        return TeamsAnswer(name, reply_activity(update_command_card(deps, args, admin)))
    offered = {c.name for c in teams_commands(deps)}
    if name in CARD_ANSWERS and name in offered and name != "help":
        return TeamsAnswer(name, reply_activity(CARD_ANSWERS[name](deps, args, app)))
    if name in MORE_ANSWERS and name in table:
        return TeamsAnswer(name, reply_activity(MORE_ANSWERS[name](deps, args, activity)))
    if name in FROM_SLACK_BLOCKS and name in table:
        return TeamsAnswer(name, reply_activity(_from_slack(deps, name, args, activity)))
    if name in table and name != "help":
        card = notice_card(f"“{name}” is in Slack for now: try {table[name].example} there.")
        return TeamsAnswer(name, reply_activity(card))
    typed = name if name and name != "help" else None
    return TeamsAnswer("help", reply_activity(_help(deps, activity, app, typed)))
