"""Knowledge bases and document uploads over HTTP: what the API decides on its own.

None of these needs an ingestion to finish: they prove CRUD and validation, type
detection from bytes, the streamed size limit, safe storage and ownership.
"""

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api_errors import assert_error
from tests.support.documents import SPEC_PDF
from tests.support.fakes.openai_fake import EMBEDDINGS
from tests.support.fakes.running import Fakes
from tests.support.knowledge_api import create_kb, post_file, upload
from tests.support.live_stack import RunningStack

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
DOCUMENT_KEYS = {
    "id",
    "knowledge_base_id",
    "filename",
    "file_type",
    "size_bytes",
    "status",
    "stage",
    "pages_extracted",
    "chunks_embedded",
    "chunks_total",
    "percentage",
    "eta_seconds",
    "notice",
    "error",
    "workflow_id",
    "created_at",
    "finished_at",
}
STATUSES = {"queued", "running", "completed", "failed", "cancelled"}


def stored_files(running_stack: RunningStack) -> set[str]:
    folder = Path(running_stack.env["DATA_DIR"]) / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def docx_bytes(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
    return out.getvalue()


# ---- knowledge bases -------------------------------------------------------------------


def test_knowledge_base_is_created_with_defaults_listed_renamed_and_deleted(
    admin: httpx.Client,
) -> None:
    kb = create_kb(admin, description="about things")
    assert re.fullmatch(r"kb-[0-9a-f]{32}", kb["collection"])
    assert (kb["embedding_provider"], kb["embedding_model"]) == ("local", "all-MiniLM-L6-v2")
    assert (kb["chunk_size"], kb["chunk_overlap"]) == (1000, 150)
    assert kb["id"] in [k["id"] for k in admin.get("/knowledge-bases").json()]

    detail = admin.get(f"/knowledge-bases/{kb['id']}").json()
    assert detail["documents"] == {
        "queued": 0,
        "running": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "total": 0,
    }

    renamed = admin.put(f"/knowledge-bases/{kb['id']}", json={"name": "renamed"}).json()
    assert (renamed["name"], renamed["description"]) == ("renamed", "about things")
    assert renamed["collection"] == kb["collection"]

    assert admin.delete(f"/knowledge-bases/{kb['id']}").status_code == 204
    assert_error(admin.get(f"/knowledge-bases/{kb['id']}"), 404, "not_found")
    assert kb["id"] not in [k["id"] for k in admin.get("/knowledge-bases").json()]


@pytest.mark.parametrize(
    ("provider", "model"),
    [("openai", "text-embedding-3-small"), ("gemini", "text-embedding-004")],
)
def test_each_provider_gets_its_default_embedding_model(
    admin: httpx.Client, provider: str, model: str
) -> None:
    kb = create_kb(admin, embedding_provider=provider)
    assert (kb["embedding_provider"], kb["embedding_model"]) == (provider, model)
    chosen = create_kb(admin, embedding_provider=provider, embedding_model="my-model")
    assert chosen["embedding_model"] == "my-model"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "ok", "chunk_size": 99},
        {"name": "ok", "chunk_size": 8001},
        {"name": "ok", "chunk_size": 500, "chunk_overlap": 500},
        {"name": "ok", "chunk_overlap": -1},
        {"name": "ok", "embedding_provider": "cohere"},
        {"name": "ok", "collection": "mine"},
    ],
)
def test_invalid_knowledge_base_bodies_are_422_and_create_nothing(
    admin: httpx.Client, body: dict
) -> None:
    before = admin.get("/knowledge-bases").json()
    error = assert_error(admin.post("/knowledge-bases", json=body), 422, "invalid_request")
    assert error["details"]["problems"]
    assert admin.get("/knowledge-bases").json() == before


def test_embedding_settings_change_only_through_reindex(admin: httpx.Client) -> None:
    kb = create_kb(admin)
    reply = admin.put(f"/knowledge-bases/{kb['id']}", json={"embedding_model": "other"})
    assert_error(reply, 422, "invalid_request")
    doc = upload(admin, kb["id"], "notes.txt", b"Reindexing starts every document again.")

    reply = admin.post(
        f"/knowledge-bases/{kb['id']}/reindex", json={"embedding_provider": "openai"}
    )
    assert reply.status_code == 202, reply.text
    reindexed = reply.json()
    assert (reindexed["embedding_provider"], reindexed["embedding_model"]) == (
        "openai",
        "text-embedding-3-small",
    )
    assert reindexed["collection"] != kb["collection"]  # a fresh collection for the new model
    assert reindexed["documents"]["total"] == 1
    again = admin.get(f"/documents/{doc['id']}").json()
    assert again["workflow_id"] == f"ingest-{doc['id']}-2"
    assert again["status"] in STATUSES - {"failed"}


def test_another_users_knowledge_base_is_404_and_untouched(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    kb = create_kb(admin, name="private")
    kid = kb["id"]
    for method, path, body in [
        ("GET", f"/knowledge-bases/{kid}", None),
        ("PUT", f"/knowledge-bases/{kid}", {"name": "stolen"}),
        ("DELETE", f"/knowledge-bases/{kid}", None),
        ("POST", f"/knowledge-bases/{kid}/reindex", {"embedding_provider": "openai"}),
        ("GET", f"/knowledge-bases/{kid}/documents", None),
    ]:
        assert_error(other_user.request(method, path, json=body), 404, "not_found")
    assert_error(post_file(other_user, kid, "x.txt", b"mine now"), 404, "not_found")
    assert kid not in [k["id"] for k in other_user.get("/knowledge-bases").json()]
    assert admin.get(f"/knowledge-bases/{kid}").json()["name"] == "private"
    assert admin.get(f"/knowledge-bases/{kid}/documents").json() == []


# ---- uploads: what a file is -----------------------------------------------------------


def test_text_upload_is_accepted_as_txt_and_queued(admin: httpx.Client) -> None:
    kb = create_kb(admin)
    doc = upload(admin, kb["id"], "notes.txt", "Plain notes — in UTF-8.".encode())
    assert set(doc) == DOCUMENT_KEYS
    assert (doc["file_type"], doc["filename"], doc["knowledge_base_id"]) == (
        "txt",
        "notes.txt",
        kb["id"],
    )
    assert (doc["status"], doc["stage"], doc["percentage"]) == ("queued", "queued", 0)
    assert doc["size_bytes"] == len("Plain notes — in UTF-8.".encode())
    assert doc["workflow_id"] == f"ingest-{doc['id']}"
    assert doc["eta_seconds"] is None and doc["finished_at"] is None

    now = admin.get(f"/documents/{doc['id']}").json()
    assert set(now) == DOCUMENT_KEYS and now["status"] in STATUSES
    assert doc["id"] in [
        d["id"] for d in admin.get(f"/knowledge-bases/{kb['id']}/documents").json()
    ]
    counts = admin.get(f"/knowledge-bases/{kb['id']}").json()["documents"]
    assert counts["total"] == 1


def test_markdown_docx_and_the_real_pdf_are_recognised(admin: httpx.Client) -> None:
    kb = create_kb(admin)
    assert upload(admin, kb["id"], "readme.md", b"# Title\n\nBody")["file_type"] == "md"
    assert upload(admin, kb["id"], "letter.docx", docx_bytes("Dear"))["file_type"] == "docx"
    pdf = SPEC_PDF.read_bytes()
    doc = upload(admin, kb["id"], "shared-mime-info-spec.pdf", pdf)
    assert (doc["file_type"], doc["size_bytes"]) == ("pdf", len(pdf))


@pytest.mark.parametrize(
    ("name", "data", "mentions"),
    [
        ("photo.pdf", PNG_BYTES, "png"),
        ("photo.png", PNG_BYTES, "png"),
        ("notes.txt", SPEC_PDF.read_bytes()[:4096], "pdf"),
        ("report.pdf", b"just some text pretending", "pdf"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 64, "zip"),
        ("blob.bin", bytes(range(256)), "binary"),
        ("utf16.txt", "hello".encode("utf-16"), "txt"),
    ],
)
def test_bytes_that_are_not_an_accepted_type_or_not_what_the_name_says_are_415(
    admin: httpx.Client, running_stack: RunningStack, name: str, data: bytes, mentions: str
) -> None:
    kb = create_kb(admin)
    before = stored_files(running_stack)
    error = assert_error(post_file(admin, kb["id"], name, data), 415, "unsupported_media_type")
    assert mentions in error["message"].lower()
    assert name in error["message"]
    assert stored_files(running_stack) == before
    assert admin.get(f"/knowledge-bases/{kb['id']}/documents").json() == []


def test_empty_file_is_422(admin: httpx.Client, running_stack: RunningStack) -> None:
    kb = create_kb(admin)
    before = stored_files(running_stack)
    assert_error(post_file(admin, kb["id"], "empty.txt", b""), 422, "empty_file")
    assert stored_files(running_stack) == before


def test_malformed_upload_requests_are_refused_and_store_nothing(
    admin: httpx.Client, running_stack: RunningStack
) -> None:
    kb = create_kb(admin)
    before = stored_files(running_stack)
    no_kb = admin.post("/documents/upload", files={"file": ("a.txt", b"text")})
    assert_error(no_kb, 422, "invalid_request")
    no_file = admin.post("/documents/upload", files={"knowledge_base_id": (None, kb["id"])})
    assert_error(no_file, 422, "invalid_request")
    form = admin.post("/documents/upload", data={"knowledge_base_id": kb["id"]})
    assert_error(form, 415, "unsupported_media_type")  # url-encoded cannot carry a file
    assert_error(admin.post("/documents/upload", json={"x": 1}), 415, "unsupported_media_type")
    assert_error(post_file(admin, "no-such-kb", "a.txt", b"text"), 404, "not_found")
    assert stored_files(running_stack) == before


# ---- uploads: size and storage ---------------------------------------------------------


def _multipart_stream(kb_id: str, file_bytes: int, boundary: str) -> tuple[Iterator[bytes], int]:
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="knowledge_base_id"\r\n\r\n'
        f"{kb_id}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="huge.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = b"a" * (1024 * 1024)

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(file_bytes // len(chunk)):
            yield chunk
        yield tail

    return body(), len(head) + file_bytes + len(tail)


@pytest.mark.parametrize("declare_length", [False, True], ids=["chunked", "content-length"])
def test_upload_over_the_limit_is_413_and_nothing_is_stored(
    admin: httpx.Client, running_stack: RunningStack, declare_length: bool
) -> None:
    kb = create_kb(admin)
    before = stored_files(running_stack)
    boundary = "test-boundary-7d1f"
    body, length = _multipart_stream(kb["id"], 51 * 1024 * 1024, boundary)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if declare_length:
        headers["Content-Length"] = str(length)
    reply = admin.post("/documents/upload", content=body, headers=headers)
    error = assert_error(reply, 413, "payload_too_large")
    assert error["details"]["limit_bytes"] == 50 * 1024 * 1024
    assert stored_files(running_stack) == before
    assert admin.get(f"/knowledge-bases/{kb['id']}/documents").json() == []


def test_upload_above_the_json_body_limit_streams_through(admin: httpx.Client) -> None:
    kb = create_kb(admin)
    data = b"Streamed to disk, never held whole in memory.\n" * 64_000  # ~3 MB
    doc = upload(admin, kb["id"], "big.txt", data)
    assert (doc["size_bytes"], doc["file_type"]) == (len(data), "txt")


def test_stored_name_is_generated_and_the_filename_sanitised(
    admin: httpx.Client, running_stack: RunningStack
) -> None:
    kb = create_kb(admin)
    doc = upload(admin, kb["id"], "../../etc/passwd.txt", b"root:x:0:0")
    assert doc["filename"] == "passwd.txt"
    windows = upload(admin, kb["id"], "C:\\Users\\me\\report.md", b"# report")
    assert windows["filename"] == "report.md"
    names = stored_files(running_stack)
    assert {doc["id"], windows["id"]} <= names
    assert not any("passwd" in n or "report" in n for n in names)
    data_dir = Path(running_stack.env["DATA_DIR"])
    assert not (data_dir.parent / "etc").exists() and not (data_dir / "etc").exists()


# ---- documents: ownership and lifecycle ------------------------------------------------


def test_another_users_document_is_404_and_untouched(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    kb = create_kb(admin)
    doc = upload(admin, kb["id"], "secret.txt", b"for my eyes only")
    did = doc["id"]
    for method, path in [
        ("GET", f"/documents/{did}"),
        ("GET", f"/documents/{did}/events"),
        ("POST", f"/documents/{did}/cancel"),
        ("POST", f"/documents/{did}/retry"),
        ("DELETE", f"/documents/{did}"),
    ]:
        assert_error(other_user.request(method, path), 404, "not_found")
    assert admin.get(f"/documents/{did}").json()["filename"] == "secret.txt"


def test_progress_events_stream_the_document_as_json(admin: httpx.Client, fakes: Fakes) -> None:
    kb = create_kb(admin, embedding_provider="openai")
    with fakes.openai.holding(EMBEDDINGS):  # still running when the stream starts
        doc = upload(admin, kb["id"], "watch.txt", b"Watch me ingest.")
        with admin.stream("GET", f"/documents/{doc['id']}/events", timeout=30) as reply:
            assert reply.status_code == 200
            assert reply.headers["content-type"].startswith("text/event-stream")
            lines = reply.iter_lines()
            event = next(lines)
            data = next(lines)
    assert event in ("event: progress", "event: done")
    sent = json.loads(data.removeprefix("data: "))
    assert set(sent) == DOCUMENT_KEYS and sent["id"] == doc["id"]


def test_only_failed_or_cancelled_documents_are_retried(admin: httpx.Client, fakes: Fakes) -> None:
    kb = create_kb(admin, embedding_provider="openai")
    with fakes.openai.holding(EMBEDDINGS):  # the ingestion stays open, neither failed nor done
        doc = upload(admin, kb["id"], "fresh.txt", b"Not failed, so not retried.")
        assert_error(admin.post(f"/documents/{doc['id']}/retry"), 409, "conflict")


def test_cancel_is_accepted_while_the_ingestion_is_open(admin: httpx.Client, fakes: Fakes) -> None:
    kb = create_kb(admin, embedding_provider="openai")
    with fakes.openai.holding(EMBEDDINGS):  # however fast the worker, it cannot finish first
        doc = upload(admin, kb["id"], "stop.txt", b"Cancel me.")
        reply = admin.post(f"/documents/{doc['id']}/cancel")
    assert reply.status_code == 202, reply.text
    assert reply.json()["id"] == doc["id"]


def test_deleting_a_document_removes_its_row_and_file(
    admin: httpx.Client, running_stack: RunningStack
) -> None:
    kb = create_kb(admin)
    doc = upload(admin, kb["id"], "gone.txt", b"Soon gone.")
    assert doc["id"] in stored_files(running_stack)
    assert admin.delete(f"/documents/{doc['id']}").status_code == 204
    assert_error(admin.get(f"/documents/{doc['id']}"), 404, "not_found")
    assert doc["id"] not in stored_files(running_stack)
    assert admin.get(f"/knowledge-bases/{kb['id']}/documents").json() == []


def test_deleting_a_knowledge_base_removes_its_documents_and_files(
    admin: httpx.Client, running_stack: RunningStack
) -> None:
    kb = create_kb(admin)
    docs = [upload(admin, kb["id"], f"n{i}.txt", f"note {i}".encode()) for i in range(2)]
    assert admin.delete(f"/knowledge-bases/{kb['id']}").status_code == 204
    for doc in docs:
        assert_error(admin.get(f"/documents/{doc['id']}"), 404, "not_found")
        assert doc["id"] not in stored_files(running_stack)
