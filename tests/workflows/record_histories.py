"""Records event histories of real ``GraphRun`` runs for the replay tests.

    .venv/bin/python -m tests.workflows.record_histories

Starts the real stack (as the end-to-end tests do), runs one graph per shape of
``GraphRun`` we release, and writes each run's history to ``histories/``. Commit new
files when the interpreter gains a shape; never rewrite old ones: they prove that old
runs still replay against the current code.
"""

import asyncio
import tempfile
from pathlib import Path

import httpx
from temporalio.client import Client

from tests.e2e.conftest import login
from tests.e2e.graphs import direct_llm_graph, rag_graph
from tests.e2e.harness import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack, running_fakes
from tests.e2e.knowledge import seed_collection
from tests.fakes.http_fake import Failure
from tests.postgres import temporary_database

HISTORIES = Path(__file__).with_name("histories")
COLLECTION = "replay-kb"
SHAPES = {
    "graph_run_rag_web_local_v1": rag_graph(COLLECTION, use_web_search=True),
    "graph_run_rag_regular_v1": rag_graph(
        COLLECTION, llm_policy={"execution": "regular"}, kb_policy={"execution": "regular"}
    ),
}


async def save_history(address: str, run_id: str, name: str) -> None:
    client = await Client.connect(address)
    history = await client.get_workflow_handle(run_id).fetch_history()
    (HISTORIES / f"{name}.json").write_text(history.to_json())


def execute(api: httpx.Client, graph: dict[str, object], query: str) -> str:
    wf = api.post("/workflows", json={"name": "replay", "graph": graph}).raise_for_status()
    reply = api.post(f"/workflows/{wf.json()['id']}/execute", json={"query": query})
    body = reply.json()
    return body["run_id"] if reply.status_code == 200 else body["error"]["details"]["run_id"]


def main() -> None:
    with (
        running_fakes() as fakes,
        temporary_database("genai_record") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
    ):
        seed_collection(stack.env, COLLECTION, [("Refunds take 30 days.", "policy.pdf", 2)])
        address = stack.env["TEMPORAL_ADDRESS"]
        with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
            for name, graph in SHAPES.items():
                asyncio.run(save_history(address, execute(api, graph, "refunds?"), name))
            fakes.openai.script([Failure(429), Failure(401)])
            failed = execute(api, direct_llm_graph(model="gpt-4o-mini"), "fail please")
            asyncio.run(save_history(address, failed, "graph_run_llm_retry_then_401_v1"))
    print("\n".join(sorted(p.name for p in HISTORIES.glob("*.json"))))


if __name__ == "__main__":
    main()
