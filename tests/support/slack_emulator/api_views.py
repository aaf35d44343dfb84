"""Web API views methods: views.open, views.push, views.update and views.publish."""

from __future__ import annotations

import copy

from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import APP_ID, BOT_ID, TEAM_ID, Json, error, ok


class ViewMethods(EmulatorState):
    """views.open, views.push, views.update, views.publish; each view is kept in self.views."""

    def _store_view(self, view: Json, view_id: str | None = None) -> Json:
        stored = {"type": "modal", **view, "id": view_id or self._next_id("V")}
        stored.update(team_id=TEAM_ID, app_id=APP_ID, bot_id=BOT_ID, state={"values": {}})
        stored["hash"] = f"{self._next_ts()}.emu"
        self.views[stored["id"]] = stored
        return copy.deepcopy(stored)

    def _api_views_open(self, args: Json, token: str | None) -> Json:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            return error("invalid_arguments")
        if not isinstance(args.get("view"), dict):
            return error("invalid_arguments")
        return ok(view=self._store_view(args["view"]))

    _api_views_push = _api_views_open

    def _api_views_update(self, args: Json, token: str | None) -> Json:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            by_external = (v for v in self.views.values() if v.get("external_id") == args["external_id"])
            view_id = next((v["id"] for v in by_external), None)
            if view_id is None:
                return error("not_found")
        if not view_id or not isinstance(args.get("view"), dict):
            return error("invalid_arguments")
        return ok(view=self._store_view(args["view"], view_id))  # lenient on unknown ids

    def _api_views_publish(self, args: Json, token: str | None) -> Json:
        if not args.get("user_id") or not isinstance(args.get("view"), dict):
            return error("invalid_arguments")
        return ok(view=self._store_view({"type": "home", **args["view"]}))
