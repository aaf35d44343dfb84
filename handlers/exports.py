"""Uploads a command's file to the conversation it was asked in, the way slack_sdk's
files_upload_v2 does (files.getUploadURLExternal, the upload, files.completeUploadExternal).
`/aireview export` (bot/exports) is the command that asks for one."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.replies import FileUpload

# Slack errors that mean "the bot cannot post in this conversation".
_NOT_HERE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def upload_file(
    client: WebClient, channel_id: str, upload: FileUpload, *, thread_ts: str | None = None
) -> str | None:
    """Share `upload` in `channel_id` (in the thread `thread_ts`, if given); None when done,
    else what to tell the user."""
    try:
        client.files_upload_v2(
            channel=channel_id,
            thread_ts=thread_ts,
            content=upload.content,
            filename=upload.filename,
            title=upload.title,
            initial_comment=upload.comment,
            alt_txt=upload.alt_text,  # a picture says what it shows (None: not a picture)
        )
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in _NOT_HERE:
            return (
                f"I can't post files in this conversation ({error}). Invite me with "
                "`/invite @Review Watch`, or run the export in a direct message with me."
            )
        return f"The upload to Slack failed ({error or 'unknown error'}). Please try again."
    except SlackClientError as exc:  # network trouble or the upload URL refusing the bytes
        return f"The upload to Slack failed ({type(exc).__name__}). Please try again."
    return None  # the file, with its comment, is the answer
