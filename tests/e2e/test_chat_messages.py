"""The design's chat endpoint: ``POST /api/v1/chat/messages`` answers at once with the
stored question and the run; the answer streams as the run's events and is stored when the
run completes, with nobody waiting on the request."""

import json

import httpx

from tests.support.api_errors import assert_error
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.polling import eventually
from tests.support.sse import read_all


def new_chat(client: httpx.Client) -> str:
    wf = client.post("/workflows", json={"name": "chat", "graph": direct_llm_graph(model="m")})
    chat = client.post("/chat/sessions", json={"workflow_id": wf.json()["id"]})
    return str(chat.json()["id"])


def test_a_message_is_accepted_at_once_and_answered_in_the_background(
    admin: httpx.Client, fakes: Fakes
) -> None:
    chat_id = new_chat(admin)
    with fakes.openai.holding(CHAT):  # the run cannot answer before the reply comes back
        reply = admin.post("/chat/messages", json={"session_id": chat_id, "message": "hello?"})
        assert reply.status_code == 202, reply.text
        accepted = reply.json()
        assert accepted["session_id"] == chat_id
        assert accepted["message"]["role"] == "user" and accepted["message"]["content"] == "hello?"
        assert accepted["events_url"] == f"/api/v1/runs/{accepted['run_id']}/events"
        messages = admin.get(f"/chat/sessions/{chat_id}/messages").json()
        assert [m["role"] for m in messages] == ["user"]

    def stored() -> list[dict[str, object]]:
        return list(admin.get(f"/chat/sessions/{chat_id}/messages").json())

    eventually(lambda: len(stored()) == 2, timeout=60, interval=0.2, message="no answer stored")
    question, answer = stored()
    assert answer["role"] == "assistant" and answer["run_id"] == accepted["run_id"]
    assert question["run_id"] == accepted["run_id"]
    run = admin.get(f"/runs/{accepted['run_id']}").json()
    assert run["session_id"] == chat_id
    events = read_all(admin, accepted["events_url"].removeprefix("/api/v1"))
    assert events[0].event == "run_started" and events[-1].event == "run_completed"
    assert json.loads(events[-1].data)["response"] == answer["content"]


def test_bad_and_foreign_messages_change_nothing(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    chat_id = new_chat(admin)
    assert_error(
        other_user.post("/chat/messages", json={"session_id": chat_id, "message": "mine?"}),
        404,
        "not_found",
    )
    assert_error(
        admin.post("/chat/messages", json={"session_id": "no-such-chat", "message": "x"}),
        404,
        "not_found",
    )
    for body in ({"session_id": chat_id}, {"session_id": chat_id, "message": ""}, {}):
        assert_error(admin.post("/chat/messages", json=body), 422, "invalid_request")
    assert admin.get(f"/chat/sessions/{chat_id}/messages").json() == []
