"""The chat's WebSocket against the running API: authenticated by its first frame, the same
run events as the SSE stream, resume by event id, ping/pong, and bad frames answered with
an error, never a crash."""

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import RunningStack
from tests.support.sse import cursor_of


def socket_url(running_stack: RunningStack, chat_id: str) -> str:
    return running_stack.api_url.replace("http://", "ws://") + f"/api/v1/chat/ws/{chat_id}"


def token_of(client: httpx.Client) -> str:
    return str(client.headers["Authorization"]).removeprefix("Bearer ")


def new_chat(client: httpx.Client) -> str:
    wf = client.post("/workflows", json={"name": "socket", "graph": direct_llm_graph(model="m")})
    return str(client.post("/chat/sessions", json={"workflow_id": wf.json()["id"]}).json()["id"])


def receive(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(socket.recv(timeout=60))
    return frame


def events_until_the_end(socket: ClientConnection) -> list[dict[str, Any]]:
    events = []
    while True:
        frame = receive(socket)
        if frame["type"] == "ping":
            continue
        assert frame["type"] == "event", frame
        events.append(frame)
        if frame["event"] in ("run_completed", "run_failed"):
            return events


def without_tokens(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(e["event"], e["data"]) for e in events if e["event"] != "token"]


def seqs(events: list[dict[str, Any]]) -> list[int]:
    return [e["data"]["seq"] for e in events if e["event"] == "token"]


def test_a_message_streams_its_run_and_resumes_by_event_id(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    chat_id = new_chat(admin)
    with connect(socket_url(running_stack, chat_id)) as socket:
        socket.send(json.dumps({"type": "auth", "token": token_of(admin)}))
        socket.send(json.dumps({"type": "ping"}))
        assert receive(socket) == {"type": "pong"}
        socket.send(json.dumps({"type": "message", "content": "over the socket?"}))
        accepted = receive(socket)
        assert accepted["type"] == "accepted" and accepted["message"]["role"] == "user"
        events = events_until_the_end(socket)
        ids = [e["id"] for e in events]
        cursors = [cursor_of(i) for i in ids]
        assert cursors == sorted(set(cursors))
        assert events[0]["event"] == "run_started" and events[-1]["event"] == "run_completed"
        answer = events[-1]["data"]["response"]

        socket.send(
            json.dumps(
                {"type": "resume", "run_id": accepted["run_id"], "last_event_id": str(ids[0])}
            )
        )
        resumed = events_until_the_end(socket)
        # The same events after the first; tokens may sit elsewhere among them (their ids
        # place them where they were sent), but each comes once.
        assert without_tokens(resumed) == without_tokens(events[1:])
        assert seqs(resumed) == seqs(events) and len(set(seqs(resumed))) == len(seqs(resumed))

        socket.send("not json")
        assert receive(socket)["type"] == "error"
        socket.send(json.dumps({"type": "teleport"}))
        error = receive(socket)
        assert error["type"] == "error" and error["code"] == "invalid_frame"
        socket.send(json.dumps({"type": "resume", "run_id": "run-nobody-has"}))
        assert receive(socket) == {
            "type": "error",
            "code": "not_found",
            "message": "run 'run-nobody-has' was not found",
        }
        socket.send(json.dumps({"type": "ping"}))
        assert receive(socket) == {"type": "pong"}  # still open after every bad frame
    messages = admin.get(f"/chat/sessions/{chat_id}/messages").json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == answer


@pytest.mark.parametrize(
    "first_frame",
    [
        None,  # nothing at all: closed when the wait for authentication ends
        {"type": "auth", "token": "not-a-token"},
        {"type": "message", "content": "skipping the authentication"},
    ],
)
def test_a_socket_without_valid_authentication_is_closed_as_a_policy_violation(
    running_stack: RunningStack, admin: httpx.Client, first_frame: dict[str, str] | None
) -> None:
    chat_id = new_chat(admin)
    with connect(socket_url(running_stack, chat_id)) as socket:
        if first_frame is not None:
            socket.send(json.dumps(first_frame))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=20)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_another_users_session_is_closed_as_not_found(
    running_stack: RunningStack, admin: httpx.Client, other_user: httpx.Client
) -> None:
    chat_id = new_chat(admin)
    with connect(socket_url(running_stack, chat_id)) as socket:
        socket.send(json.dumps({"type": "auth", "token": token_of(other_user)}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=20)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
    assert admin.get(f"/chat/sessions/{chat_id}/messages").json() == []
