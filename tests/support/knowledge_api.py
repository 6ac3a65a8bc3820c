"""Knowledge bases and uploads through the HTTP API, as the end-to-end tests make them."""

import time

import httpx

from tests.support.knowledge import EMBEDDING_MODEL, seed_collection


def create_kb(client: httpx.Client, **fields: object) -> dict:
    """A new knowledge base (201) with a unique name and ``fields``."""
    reply = client.post("/knowledge-bases", json={"name": f"kb {time.monotonic_ns()}", **fields})
    assert reply.status_code == 201, reply.text
    return reply.json()


def post_file(client: httpx.Client, kb_id: str, name: str, data: bytes) -> httpx.Response:
    """The upload request for ``data`` named ``name``, whatever its answer."""
    return client.post(
        "/documents/upload",
        data={"knowledge_base_id": kb_id},
        files={"file": (name, data, "application/octet-stream")},
    )


def upload(client: httpx.Client, kb_id: str, name: str, data: bytes) -> dict:
    """An accepted upload (202): the document row."""
    reply = post_file(client, kb_id, name, data)
    assert reply.status_code == 202, reply.text
    return reply.json()


def seeded_knowledge_base(
    client: httpx.Client, env: dict[str, str], passages: list[tuple[str, str, int]]
) -> str:
    """The id of a new knowledge base of ``client``'s user, embedded with the fake OpenAI
    model, whose collection holds ``passages`` (text, document, page) — without ingestion."""
    kb = create_kb(client, embedding_provider="openai", embedding_model=EMBEDDING_MODEL)
    seed_collection(env, kb["collection"], passages)
    return str(kb["id"])
