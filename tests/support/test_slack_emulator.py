"""The Slack emulator answers the real slack_sdk WebClient the way tests rely on."""

from __future__ import annotations

import json

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.slack_emulator import SlackEmulator

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Meta* is a holdout"}}]
METADATA = {"event_type": "review_alert", "event_payload": {"developer": "meta"}}


@pytest.fixture
def client(slack_emulator: SlackEmulator) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack_emulator.api_url)


def test_api_url_is_a_local_base_url_ending_in_slash(slack_emulator: SlackEmulator) -> None:
    assert slack_emulator.api_url.startswith("http://127.0.0.1:")
    assert slack_emulator.api_url == slack_emulator.base_url + "/api/"


def test_auth_test_answers_bot_identity(slack_emulator: SlackEmulator, client: WebClient) -> None:
    response = client.auth_test()

    assert response["ok"] is True
    assert response["team_id"] and response["user_id"] and response["bot_id"]
    assert response["url"].startswith("https://")
    assert slack_emulator.last("auth.test").headers["authorization"] == "Bearer xoxb-test"


def test_post_message_is_recorded_and_listed_in_history_with_metadata(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="first", blocks=BLOCKS, metadata=METADATA)
    second = client.chat_postMessage(channel="C1", text="second")
    client.chat_postMessage(channel="C2", text="elsewhere")

    call = slack_emulator.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == BLOCKS
    assert call.args["metadata"] == METADATA
    assert call.failed is False
    assert first["channel"] == "C1"
    assert first["message"]["metadata"] == METADATA
    assert float(second["ts"]) > float(first["ts"])

    history = client.conversations_history(channel="C1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["second", "first"]
    assert history["messages"][1]["metadata"] == METADATA
    assert history["messages"][1]["blocks"] == BLOCKS
    assert slack_emulator.last("conversations.history").args["include_all_metadata"] == "1"


def test_history_omits_metadata_unless_asked_and_honours_limit_and_oldest(
    client: WebClient,
) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=f"m{i}", metadata=METADATA)["ts"] for i in range(3)]

    plain = client.conversations_history(channel="C1")
    assert all("metadata" not in m for m in plain["messages"])

    limited = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in limited["messages"]] == ["m2", "m1"]
    assert limited["has_more"] is True

    newer = client.conversations_history(channel="C1", oldest=stamps[0])
    assert [m["ts"] for m in newer["messages"]] == [stamps[2], stamps[1]]


def test_json_fields_sent_as_form_fields_are_decoded(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "hi", "blocks": json.dumps(BLOCKS)},
    )

    call = slack_emulator.last("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.args["blocks"] == BLOCKS


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_without_text_or_blocks_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1")
    assert raised.value.response["error"] == "no_text"


def test_chat_update_changes_the_stored_message(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="before")

    updated = client.chat_update(channel="C1", ts=posted["ts"], text="after", blocks=BLOCKS)

    assert updated["ts"] == posted["ts"]
    history = client.conversations_history(channel="C1")
    assert history["messages"][0]["text"] == "after"
    assert history["messages"][0]["blocks"] == BLOCKS


def test_views_open_records_the_view_and_returns_an_id(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    view = {
        "type": "modal",
        "callback_id": "edit_developer",
        "title": {"type": "plain_text", "text": "Edit developer"},
        "private_metadata": '{"developer": "meta"}',
        "blocks": BLOCKS,
    }

    response = client.views_open(trigger_id="123.456.abc", view=view)

    assert slack_emulator.last("views.open").args["view"] == view
    assert response["view"]["id"].startswith("V")
    assert response["view"]["callback_id"] == "edit_developer"
    updated = client.views_update(view_id=response["view"]["id"], view={**view, "blocks": []})
    assert updated["view"]["id"] == response["view"]["id"]
    published = client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})
    assert published["view"]["type"] == "home"


def test_usergroups_users_list_answers_the_configured_members(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    slack_emulator.usergroups = {"S123": ["U1", "U2"]}

    assert client.usergroups_users_list(usergroup="S123")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as raised:
        client.usergroups_users_list(usergroup="S999")
    assert raised.value.response["error"] == "no_such_subteam"


def test_users_info_merges_configured_fields(slack_emulator: SlackEmulator, client: WebClient) -> None:
    slack_emulator.users = {"U1": {"is_admin": True, "tz": "Europe/Paris"}}

    user = client.users_info(user="U1")["user"]

    assert (user["id"], user["is_admin"], user["tz"]) == ("U1", True, "Europe/Paris")
    assert client.users_info(user="U2")["user"]["is_admin"] is False


def test_invalid_token_gets_invalid_auth(slack_emulator: SlackEmulator) -> None:
    slack_emulator.invalid_tokens.add("xoxb-revoked")
    revoked = WebClient(token="xoxb-revoked", base_url=slack_emulator.api_url)

    with pytest.raises(SlackApiError) as raised:
        revoked.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response["error"] == "invalid_auth"
    assert slack_emulator.last("chat.postMessage").failed is True
    assert slack_emulator.messages == {}


def test_unknown_method_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("nonsense.method")
    assert raised.value.response["error"] == "unknown_method"


def test_injected_failures_then_success(slack_emulator: SlackEmulator, client: WebClient) -> None:
    slack_emulator.fail("chat.postMessage", status=429, retry_after=7)
    slack_emulator.fail("chat.postMessage", status=500)
    slack_emulator.fail("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"

    with pytest.raises(SlackApiError) as server_error:
        client.chat_postMessage(channel="C1", text="hi")
    assert server_error.value.response.status_code == 500

    with pytest.raises(SlackApiError) as not_found:
        client.chat_postMessage(channel="C1", text="hi")
    assert not_found.value.response.status_code == 200
    assert not_found.value.response["error"] == "channel_not_found"

    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert [c.failed for c in slack_emulator.calls_to("chat.postMessage")] == [
        True,
        True,
        True,
        False,
    ]
    assert len(slack_emulator.messages["C1"]) == 1


def test_failure_for_one_channel_leaves_others_alone(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    slack_emulator.fail("chat.postMessage", error="channel_not_found", channel="C_GONE", times=2)

    assert client.chat_postMessage(channel="C_OK", text="hi")["ok"] is True
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C_GONE", text="hi")
    assert client.chat_postMessage(channel="C_GONE", text="hi")["ok"] is True


def test_per_channel_rate_limit_answers_429(slack_emulator: SlackEmulator, client: WebClient) -> None:
    slack_emulator.rate_limit_per_channel = 1.0

    client.chat_postMessage(channel="C1", text="one")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="two")

    assert raised.value.response.status_code == 429
    assert int(raised.value.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel="C2", text="other channel")["ok"] is True
    assert [m["text"] for m in slack_emulator.messages["C1"]] == ["one"]


def test_files_upload_v2_stores_bytes_and_completes(slack_emulator: SlackEmulator, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C1",
        content=b"developer,status\nmeta,holdout\n",
        filename="tracker.csv",
        title="Tracker export",
        initial_comment="Here is the export",
    )

    file_id = response["file"]["id"]
    assert slack_emulator.uploads[file_id] == b"developer,status\nmeta,holdout\n"
    upload_url = slack_emulator.last("files.getUploadURLExternal")
    assert upload_url.args["filename"] == "tracker.csv"
    completed = slack_emulator.completed_uploads[0]
    assert completed["channel_id"] == "C1"
    assert completed["initial_comment"] == "Here is the export"
    assert completed["files"][0]["title"] == "Tracker export"
    assert response["file"]["size"] == len(slack_emulator.uploads[file_id])


def test_an_image_block_may_show_only_a_file_uploaded_here(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    def post(file_id: str) -> None:
        image = {"type": "image", "slack_file": {"id": file_id}, "alt_text": "a picture"}
        client.chat_postMessage(channel="C1", text="picture", blocks=[{"type": "divider"}, image])

    with pytest.raises(SlackApiError) as refused:
        post("F0NOTHERE")
    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == ["invalid slack file [json-pointer:/blocks/1/slack_file]"]
    assert slack_emulator.messages == {}

    file_id = client.files_upload_v2(content=b"\x89PNG", filename="t.png", title="t")["file"]["id"]
    post(file_id)
    assert slack_emulator.messages["C1"][0]["blocks"][1]["slack_file"] == {"id": file_id}


def test_response_url_posts_are_recorded(slack_emulator: SlackEmulator) -> None:
    url = slack_emulator.response_url("r1")

    answer = httpx.post(url, json={"text": "Saved", "replace_original": True})

    assert answer.json() == {"ok": True}
    assert slack_emulator.responses == [("r1", {"text": "Saved", "replace_original": True})]


def test_apps_connections_open_returns_the_socket_url(slack_emulator: SlackEmulator) -> None:
    slack_emulator.socket_url = "ws://127.0.0.1:9999/link"
    app_client = WebClient(token="xapp-1-test", base_url=slack_emulator.api_url)

    assert app_client.apps_connections_open(app_token="xapp-1-test")["url"] == ("ws://127.0.0.1:9999/link")


def test_reset_forgets_calls_but_keeps_configuration(
    slack_emulator: SlackEmulator, client: WebClient
) -> None:
    slack_emulator.usergroups = {"S1": ["U1"]}
    client.chat_postMessage(channel="C1", text="hi")

    slack_emulator.reset()

    assert slack_emulator.calls == [] and slack_emulator.messages == {}
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1"]
