"""Records event histories of real ``GraphRun`` runs for the replay tests.

    .venv/bin/python -m tests.workflows.record_histories

Starts the real stack (as the end-to-end tests do), runs one graph per shape of
``GraphRun`` we release, and writes each run's history to ``histories/``. Commit new
files when the interpreter gains a shape; never rewrite old ones: they prove that old
runs still replay against the current code.
"""

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.support.documents import image_only_pdf
from tests.support.fakes.http_fake import Failure
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes, running_fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack, launch_stack
from tests.support.login import login
from tests.support.polling import eventually
from tests.support.postgres import temporary_database

HISTORIES = Path(__file__).with_name("histories")
# v1: Temporal retried steps itself. v2 (patch "attempts-in-history"): the interpreter
# retries, one activity per attempt with a backoff timer between them; replays reuse
# recorded outputs.


def shapes(knowledge_base_id: str) -> dict[str, dict[str, Any]]:
    """The graphs whose histories are recorded, reading ``knowledge_base_id``."""
    regular = {"execution": "regular"}
    return {
        "graph_run_rag_web_local_v1": rag_graph(knowledge_base_id, use_web_search=True),
        "graph_run_rag_regular_v1": rag_graph(
            knowledge_base_id, llm_policy=regular, kb_policy=regular
        ),
        "graph_run_rag_web_local_v2": rag_graph(knowledge_base_id, use_web_search=True),
        "graph_run_rag_regular_v2": rag_graph(
            knowledge_base_id, llm_policy=regular, kb_policy=regular
        ),
    }


FAST_RETRIES = {"initial_interval_seconds": 0.05, "maximum_attempts": 4}


async def save_history(stack: RunningStack, run_id: str, name: str) -> None:
    """Writes the history, unless one of that name is committed already (never rewritten)."""
    target = HISTORIES / f"{name}.json"
    if target.exists():
        return
    client = await stack.temporal()
    history = await client.get_workflow_handle(run_id).fetch_history()
    target.write_text(history.to_json())


def execute(api: httpx.Client, graph: dict[str, object], query: str) -> str:
    wf = api.post("/workflows", json={"name": "replay", "graph": graph}).raise_for_status()
    reply = api.post(f"/workflows/{wf.json()['id']}/execute", json={"query": query})
    body = reply.json()
    return body["run_id"] if reply.status_code == 200 else body["error"]["details"]["run_id"]


def llm_graph(policy: Mapping[str, object]) -> dict[str, Any]:
    graph = direct_llm_graph(model="gpt-4o-mini")
    graph["nodes"][1]["policy"] = dict(policy)
    return graph


def record_v2_shapes(
    api: httpx.Client, fakes: Fakes, stack: RunningStack, knowledge_base_id: str
) -> None:
    """Retries as the interpreter makes them, and a replay from a node."""
    fakes.openai.script([Failure(429), Failure(401)], CHAT)
    failed = execute(api, llm_graph(FAST_RETRIES), "fail please")
    asyncio.run(save_history(stack, failed, "graph_run_llm_retry_then_401_v2"))
    fakes.openai.script([Failure(500)], CHAT)
    retried = execute(api, llm_graph({**FAST_RETRIES, "execution": "regular"}), "retry please")
    asyncio.run(save_history(stack, retried, "graph_run_regular_retry_v2"))
    original = execute(api, rag_graph(knowledge_base_id, use_web_search=True), "refunds?")
    replayed = api.post(f"/runs/{original}/replay", json={"from_node": "llm"}).raise_for_status()
    asyncio.run(save_history(stack, replayed.json()["run_id"], "graph_run_replay_from_llm_v2"))


def ingest(api: httpx.Client, filename: str, data: bytes, until: str) -> str:
    """Uploads a document into a new knowledge base and waits; its workflow id."""
    kb = api.post(
        "/knowledge-bases",
        json={"name": filename, "embedding_provider": "openai", "chunk_size": 300},
    ).raise_for_status()
    doc = (
        api.post(
            "/documents/upload",
            data={"knowledge_base_id": kb.json()["id"]},
            files={"file": (filename, data, "application/octet-stream")},
        )
        .raise_for_status()
        .json()
    )

    def finished() -> dict[str, Any] | None:
        now: dict[str, Any] = api.get(f"/documents/{doc['id']}").raise_for_status().json()
        return now if now["status"] in ("completed", "failed", "cancelled") else None

    done = eventually(finished, timeout=120, interval=0.2, message=f"{filename} did not finish")
    assert done["status"] == until, done
    return str(done["workflow_id"])


def main() -> None:
    with (
        running_fakes() as fakes,
        temporary_database("genai_record") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
        login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api,
    ):
        kb_id = seeded_knowledge_base(api, stack.env, [("Refunds take 30 days.", "policy.pdf", 2)])
        for name, graph in shapes(kb_id).items():
            asyncio.run(save_history(stack, execute(api, graph, "refunds?"), name))
        fakes.openai.script([Failure(429), Failure(401)], CHAT)
        failed = execute(api, direct_llm_graph(model="gpt-4o-mini"), "fail please")
        asyncio.run(save_history(stack, failed, "graph_run_llm_retry_then_401_v1"))
        record_v2_shapes(api, fakes, stack, kb_id)
        for name, data, until in [
            ("ingest_document_text_v1", b"Refunds take 30 days. " * 200, "completed"),
            ("ingest_document_scanned_pdf_v1", image_only_pdf(), "failed"),
        ]:
            workflow_id = ingest(
                api, name + ".txt" if until == "completed" else name + ".pdf", data, until
            )
            asyncio.run(save_history(stack, workflow_id, name))
    print("\n".join(sorted(p.name for p in HISTORIES.glob("*.json"))))


if __name__ == "__main__":
    main()
