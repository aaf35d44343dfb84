"""The read side: /holdouts, /deadlines, /aireview status|models|history|help|compare|changes, the
App Home.

`answers` (a package, one module per answer) computes plain data from the tracker (shared
with Teams), `blocks` renders it as Block Kit, `commands` holds the commands, `home` the App
Home dashboard; `compare` is labs side by side (its answer, table, App Home section and CSV
rows), `changes` what changed in a period; `messages` answers commands asked by @mention or
direct message.
"""

from bot.read import answers, blocks
from bot.read.answers import STATUS_MODELS
from bot.read.blocks import corrected_note
from bot.read.changes import (
    CHANGES_SUBCOMMAND,
    BadSince,
    ChangesAnswer,
    changes_answer,
    resolve_since,
)
from bot.read.commands import READ_SUBCOMMANDS, SLASH_COMMANDS
from bot.read.compare import (
    COMPARE_HEADINGS,
    COMPARE_SUBCOMMAND,
    CompareAnswer,
    compare_answer,
    compare_home_section,
    compare_table,
)
from bot.read.home import home_view
from bot.read.messages import answer_message, message_command_text

__all__ = [
    "CHANGES_SUBCOMMAND",
    "BadSince",
    "ChangesAnswer",
    "changes_answer",
    "resolve_since",
    "COMPARE_HEADINGS",
    "COMPARE_SUBCOMMAND",
    "CompareAnswer",
    "compare_answer",
    "compare_home_section",
    "compare_table",
    "READ_SUBCOMMANDS",
    "SLASH_COMMANDS",
    "STATUS_MODELS",
    "answer_message",
    "answers",
    "blocks",
    "corrected_note",
    "home_view",
    "message_command_text",
]
