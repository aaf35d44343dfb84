"""Web API file methods: files.getUploadURLExternal and files.completeUploadExternal (the
bytes themselves arrive at the upload URL in between: SlackEmulator._handle_upload)."""

from __future__ import annotations

import copy
import mimetypes

from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import BOT_USER_ID, TEAM_DOMAIN, Json, error, ok


class FileMethods(EmulatorState):
    """files.getUploadURLExternal, files.completeUploadExternal."""

    def _api_files_getUploadURLExternal(self, args: Json, token: str | None) -> Json:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return error("invalid_arguments")
        file_id = self._next_id("F")
        self._pending_files[file_id] = {
            "filename": args["filename"],
            "alt_txt": args.get("alt_txt"),
        }
        return ok(upload_url=f"{self.base_url}/upload/{file_id}", file_id=file_id)

    def _api_files_completeUploadExternal(self, args: Json, token: str | None) -> Json:
        requested = args.get("files")
        if not isinstance(requested, list) or not requested:
            return error("invalid_arguments")
        if any(f.get("id") not in self.uploads for f in requested):
            return error("file_not_found")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.insert(0, args["channel_id"])
        files = []
        for requested_file in requested:
            file_id = requested_file["id"]
            name = self._pending_files[file_id]["filename"]
            files.append(
                {
                    "id": file_id,
                    "name": name,
                    "title": requested_file.get("title") or name,
                    "size": len(self.uploads[file_id]),
                    "user": BOT_USER_ID,
                    "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
                    "channels": channels,
                    "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{file_id}",
                }
            )
        self.files.update(f["id"] for f in files)
        self.completed_uploads.append(
            {
                "files": copy.deepcopy(files),
                "channel_id": args.get("channel_id"),
                "channels": channels,
                "initial_comment": args.get("initial_comment"),
                "thread_ts": args.get("thread_ts"),
            }
        )
        return ok(files=files)
