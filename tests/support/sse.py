"""Reading Server-Sent Events with httpx streaming: a small parser of the wire format."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class ServerSentEvent:
    id: str | None
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def cursor_of(event_id: str) -> tuple[int, int]:
    """An event id (``"<history>"`` or ``"<history>-<answer row>"``) as the pair it orders by."""
    history, _, answer = event_id.partition("-")
    return int(history), int(answer or 0)


def parse_sse(lines: Iterator[str]) -> Iterator[ServerSentEvent | None]:
    """Events from the stream's lines; ``None`` for each comment (a keep-alive)."""
    event_id: str | None = None
    name, data = "message", list[str]()
    for line in lines:
        if line == "":
            if data:
                yield ServerSentEvent(event_id, name, "\n".join(data))
            event_id, name, data = None, "message", []
        elif line.startswith(":"):
            yield None
        else:
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "id":
                event_id = value
            elif key == "event":
                name = value
            elif key == "data":
                data.append(value)


def events_of(reply: httpx.Response) -> Iterator[ServerSentEvent]:
    """The events of a streamed reply (comments skipped)."""
    for event in parse_sse(reply.iter_lines()):
        if event is not None:
            yield event


def read_all(client: httpx.Client, url: str, **headers: str) -> list[ServerSentEvent]:
    """Every event of a stream that ends (a finished run's), asserting it is SSE."""
    with client.stream("GET", url, headers=headers or None) as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        return list(events_of(reply))


def comparable(events: list[ServerSentEvent]) -> tuple[list[tuple[str, str, int]], list[int]]:
    """What two readings of one run must share: its history-derived events (name, data, the
    history part of the id) and which token rows were sent. Where tokens sit among the
    other events (and so the answer part of later ids) depends on when a reader read."""
    history = [(e.event, e.data, cursor_of(str(e.id))[0]) for e in events if e.event != "token"]
    rows = [json.loads(e.data)["seq"] for e in events if e.event == "token"]
    return history, rows
