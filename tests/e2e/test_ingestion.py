"""Documents ingested by IngestDocument through the real stack, crash and cancel included."""

import io
import itertools
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import httpx
import pypdf
import pytest

from tests.support.documents import SPEC_PDF, spec_pdf_copies
from tests.support.fakes.http_fake import Delay
from tests.support.fakes.running import Fakes
from tests.support.graphs import rag_graph
from tests.support.knowledge_api import create_kb, upload
from tests.support.live_stack import RunningStack
from tests.support.polling import eventually

TERMINAL = {"completed", "failed", "cancelled"}


def wait_for(
    client: httpx.Client, doc_id: str, until: set[str], seen: list[dict], timeout: float = 240
) -> dict:
    """Polls the document, recording every answer, until its status is in ``until``."""

    def settled() -> dict | None:
        doc = client.get(f"/documents/{doc_id}").json()
        seen.append(doc)
        return doc if doc["status"] in until else None

    return eventually(
        settled,
        timeout=timeout,
        interval=0.2,
        message=lambda: f"document {doc_id} still {seen[-1]}",
    )


def assert_progress_never_went_back(seen: list[dict]) -> None:
    for before, after in itertools.pairwise(seen):
        assert after["chunks_embedded"] >= before["chunks_embedded"], (before, after)
        assert after["percentage"] >= before["percentage"], (before, after)


def chroma_ids(running_stack: RunningStack, collection: str) -> list[str]:
    url = urlsplit(running_stack.env["CHROMA_URL"])
    client = chromadb.HttpClient(host=url.hostname, port=url.port)
    return client.get_collection(collection).get(include=[])["ids"]


def test_real_pdf_is_ingested_and_answers_cite_the_page(
    admin: httpx.Client, fakes: Fakes, running_stack: RunningStack
) -> None:
    kb = create_kb(admin)  # the embedded default: all-MiniLM-L6-v2 on CPU
    doc = upload(admin, kb["id"], "shared-mime-info-spec.pdf", SPEC_PDF.read_bytes())
    seen: list[dict] = []
    done = wait_for(admin, doc["id"], TERMINAL, seen)
    assert done["status"] == "completed", done
    assert done["pages_extracted"] == 17
    assert done["chunks_embedded"] == done["chunks_total"] > 17
    assert done["percentage"] == 100
    assert_progress_never_went_back(seen)
    work_files = Path(running_stack.env["DATA_DIR"]) / "ingest" / doc["id"]
    assert not work_files.exists()  # extracted pages and chunks are removed once done

    graph = rag_graph("unused")
    # Named by id: the API fills in the collection and the model that built it.
    graph["nodes"][1]["config"] = {"knowledge_base_id": kb["id"], "top_k": 3}
    wf = admin.post("/workflows", json={"name": "spec", "graph": graph}).json()
    reply = admin.post(
        f"/workflows/{wf['id']}/execute",
        json={"query": "Which extended attribute may store a file's MIME type?"},
    )
    assert reply.status_code == 200, reply.text
    citations = reply.json()["citations"]
    assert {"document": "shared-mime-info-spec.pdf", "page": 14} in [
        {"document": c["document"], "page": c["page"]} for c in citations
    ]
    prompt = str(fakes.openai.chat_requests[-1]["messages"])
    assert "user.mime_type" in prompt


def test_worker_killed_mid_embedding_resumes_without_duplicates_or_gaps(
    admin: httpx.Client, fakes: Fakes, running_stack: RunningStack
) -> None:
    kb = create_kb(
        admin, embedding_provider="openai", embedding_model="text-embedding-3-small", chunk_size=400
    )
    fakes.openai.script([Delay(0.25)] * 400)  # slow embeddings: the crash lands mid-way
    try:
        doc = upload(admin, kb["id"], "spec-x3.pdf", spec_pdf_copies(3))
        seen: list[dict] = []

        def mid_embedding() -> dict | None:
            now = admin.get(f"/documents/{doc['id']}").json()
            seen.append(now)
            return now if 0 < now["chunks_embedded"] < now["chunks_total"] / 2 else None

        eventually(
            mid_embedding, timeout=120, message=lambda: f"never caught it mid-embedding: {seen[-1]}"
        )
        running_stack.kill_worker()
        mid = admin.get(f"/documents/{doc['id']}").json()
        seen.append(mid)
        assert mid["status"] == "running"
        running_stack.start_worker()
        done = wait_for(admin, doc["id"], TERMINAL, seen)
    finally:
        fakes.openai.clear_script()
    assert done["status"] == "completed", done
    assert done["pages_extracted"] == 51
    assert_progress_never_went_back(seen)
    ids = chroma_ids(running_stack, kb["collection"])
    assert len(ids) == len(set(ids)) == done["chunks_total"]
    assert set(ids) == {f"{doc['id']}:{i}" for i in range(done["chunks_total"])}


def test_cancel_mid_way_ends_cancelled_with_partial_vectors_removed(
    admin: httpx.Client, fakes: Fakes, running_stack: RunningStack
) -> None:
    kb = create_kb(
        admin, embedding_provider="openai", embedding_model="text-embedding-3-small", chunk_size=400
    )
    fakes.openai.script([Delay(0.25)] * 400)
    try:
        doc = upload(admin, kb["id"], "spec-x2.pdf", spec_pdf_copies(2))
        seen: list[dict] = []
        eventually(
            lambda: admin.get(f"/documents/{doc['id']}").json()["chunks_embedded"] > 0,
            timeout=120,
            message="no chunk was ever embedded",
        )
        assert admin.post(f"/documents/{doc['id']}/cancel").status_code in (200, 202)
        done = wait_for(admin, doc["id"], TERMINAL, seen)
    finally:
        fakes.openai.clear_script()
    assert done["status"] == "cancelled", done
    assert chroma_ids(running_stack, kb["collection"]) == []

    health = httpx.get(f"{running_stack.api_url}/health/ready").json()
    assert health["task_queues"]["ingest"]["status"] == "served"
    small = upload(admin, kb["id"], "notes.txt", b"Cancelled ingestions leave the worker healthy.")
    assert wait_for(admin, small["id"], TERMINAL, [])["status"] == "completed"


@pytest.mark.parametrize(
    ("name", "build", "reason"),
    [
        ("locked.pdf", "encrypted", "encrypted"),
        ("scan.pdf", "no_text", "no extractable text"),
        ("cut.pdf", "truncated", ""),
    ],
)
def test_broken_pdfs_fail_with_a_reason_and_the_worker_stays_up(
    admin: httpx.Client, name: str, build: str, reason: str
) -> None:
    kb = create_kb(admin, embedding_provider="openai", embedding_model="text-embedding-3-small")
    doc = upload(admin, kb["id"], name, broken_pdf(build))
    done = wait_for(admin, doc["id"], TERMINAL, [])
    assert done["status"] == "failed", done
    assert done["error"] and reason in done["error"].lower()
    ok = upload(admin, kb["id"], "fine.md", b"# Still fine\nThe worker keeps ingesting.")
    assert wait_for(admin, ok["id"], TERMINAL, [])["status"] == "completed"


def broken_pdf(kind: str) -> bytes:
    writer = pypdf.PdfWriter()
    if kind == "no_text":
        writer.add_blank_page(width=200, height=200)
    else:
        writer.append(str(SPEC_PDF), pages=(0, 2))
    if kind == "encrypted":
        writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    return data[: len(data) // 3] if kind == "truncated" else data
