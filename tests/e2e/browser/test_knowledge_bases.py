"""Knowledge bases in the builder: create one, upload the spec PDF by the file picker
and a note by drag and drop, watch the live progress bar reach 100 %, see unsupported and
empty files refused readably, cancel and retry, delete a document and the knowledge base.

Embeddings go to the loopback OpenAI fake (fast, deterministic); its answers are slowed
down on purpose for a while so the progress bar can be seen moving.
"""

import re
import time
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import FilePayload, Locator, Page, Route, expect

from tests.support.browser import screenshot
from tests.support.documents import SPEC_PDF
from tests.support.fakes.http_fake import Delay
from tests.support.fakes.openai_fake import EMBEDDINGS
from tests.support.fakes.running import Fakes
from tests.support.polling import eventually

# A Windows executable's first bytes, under a name that promises a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(512)
NOTE = "# Release notes\n\nThe builder shows live ingestion progress.\n" * 20
INGESTION_TIMEOUT_MS = 120_000


def create_knowledge_base(
    page: Page, name: str, chunk_size: int, chunk_overlap: int, shot: str | None = None
) -> None:
    page.get_by_role("button", name="New knowledge base").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Description").fill("Notes on the shared MIME-info database")
    dialog.get_by_role("combobox", name="Embedding provider").click()
    page.get_by_role("option", name="OpenAI").click()
    expect(dialog.get_by_label("Embedding model")).to_have_value("text-embedding-3-small")
    expect(dialog.get_by_label("Chunk size (characters)")).to_have_value("1000")
    expect(dialog.get_by_label("Chunk overlap (characters)")).to_have_value("150")
    dialog.get_by_label("Chunk size (characters)").fill(str(chunk_size))
    dialog.get_by_label("Chunk overlap (characters)").fill(str(chunk_size))
    expect(dialog).to_contain_text("Must be less than the chunk size")
    expect(dialog.get_by_role("button", name="Create")).to_be_disabled()
    dialog.get_by_label("Chunk overlap (characters)").fill(str(chunk_overlap))
    if shot:
        snap(page, shot)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def snap(page: Page, name: str) -> None:
    """A screenshot once bars and buttons have finished their transitions."""
    page.wait_for_timeout(600)
    screenshot(page, name)


def document_row(page: Page, filename: str) -> Locator:
    return page.get_by_test_id("document-row").filter(has=page.get_by_text(filename, exact=True))


def percentage_of(row: Locator) -> float:
    return float(row.get_by_test_id("document-percentage").inner_text().rstrip("%"))


def wait_mid_progress(row: Locator, timeout: float = 60) -> None:
    """Until the row is embedding, with chunks counted, an ETA and the bar part-way."""
    details = [""]

    def mid_way() -> bool:
        details.append(row.get_by_test_id("document-details").inner_text())
        return "left" in details[-1] and 10 < percentage_of(row) < 100

    eventually(
        mid_way,
        timeout=timeout,
        message=lambda: f"never saw the ingestion mid-way: {details[-1]!r}",
    )


def test_upload_watch_progress_refuse_and_delete(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes
) -> None:
    assert SPEC_PDF.is_file(), SPEC_PDF
    paths: list[str] = []
    page.on("request", lambda request: paths.append(urlsplit(request.url).path))
    page.get_by_role("link", name="Knowledge bases").click()
    expect(page.get_by_role("heading", name="Knowledge bases")).to_be_visible()
    name = f"MIME spec {time.monotonic_ns()}"
    create_knowledge_base(
        page, name, chunk_size=300, chunk_overlap=50, shot="30a-new-knowledge-base"
    )
    kb = next(k for k in admin.get("/knowledge-bases").json() if k["name"] == name)
    assert (kb["embedding_provider"], kb["embedding_model"]) == ("openai", "text-embedding-3-small")
    assert (kb["chunk_size"], kb["chunk_overlap"]) == (300, 50)
    expect(page.get_by_text("No documents yet")).to_be_visible()
    snap(page, "30-knowledge-bases")

    # The spec PDF by the file picker; embedding answers held 1.5 s each for a while.
    fakes.openai.script([Delay(1.5)] * 5, EMBEDDINGS)
    try:
        page.get_by_test_id("file-input").set_input_files(str(SPEC_PDF))
        row = document_row(page, SPEC_PDF.name)
        expect(row).to_be_visible()
        wait_mid_progress(row)
        expect(row.get_by_text("running", exact=True)).to_be_visible()
        expect(row.get_by_test_id("document-details")).to_contain_text("17 pages")
        snap(page, "31-ingestion-progress")
        bar = row.get_by_role("progressbar")
        expect(bar).to_have_attribute("aria-valuenow", "100", timeout=INGESTION_TIMEOUT_MS)
    finally:
        fakes.openai.clear_script()
    expect(row.get_by_text("completed", exact=True)).to_be_visible()
    expect(row.get_by_test_id("document-percentage")).to_have_text("100%")
    details = row.get_by_test_id("document-details").inner_text()
    chunks = re.fullmatch(r"17 pages · (\d+) / (\d+) chunks", details)
    assert chunks and chunks[1] == chunks[2] and int(chunks[1]) > 17, details
    expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    (doc,) = admin.get(f"/knowledge-bases/{kb['id']}/documents").json()
    assert doc["status"] == "completed" and doc["chunks_embedded"] == int(chunks[1])
    expect(page.get_by_test_id("kb-counts")).to_have_text("1 document")
    # Followed by the progress stream, not by polling.
    assert f"/api/v1/documents/{doc['id']}/events" in paths
    assert f"/api/v1/documents/{doc['id']}" not in paths

    # A note by drag and drop (a real drop event carrying a File).
    drop_zone = page.get_by_test_id("drop-zone")
    transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "release-notes.md", {type: "text/markdown"}));
            return transfer;
        }""",
        NOTE,
    )
    drop_zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(drop_zone).to_contain_text("Drop to upload")
    drop_zone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(drop_zone).not_to_contain_text("Drop to upload")
    note = document_row(page, "release-notes.md")
    expect(note.get_by_text("completed", exact=True)).to_be_visible(timeout=INGESTION_TIMEOUT_MS)
    expect(note).to_contain_text("MD")
    expect(page.get_by_test_id("document-row")).to_have_count(2)
    snap(page, "32-ingested")

    # Refusals read as sentences naming the file; nothing is added.
    page.get_by_test_id("file-input").set_input_files(
        files=[FilePayload(name="setup.pdf", mimeType="application/pdf", buffer=EXECUTABLE)]
    )
    refused = page.get_by_test_id("upload-error").filter(has_text="setup.pdf")
    expect(refused).to_contain_text("Unsupported file type")
    expect(refused).to_contain_text("holds a Windows executable")
    page.get_by_test_id("file-input").set_input_files(
        files=[FilePayload(name="empty.txt", mimeType="text/plain", buffer=b"")]
    )
    expect(page.get_by_test_id("upload-error").filter(has_text="empty.txt")).to_contain_text(
        "“empty.txt” is empty"
    )
    snap(page, "32a-upload-errors")
    refused.get_by_role("button", name="Close").click()
    expect(refused).to_have_count(0)
    expect(page.get_by_test_id("document-row")).to_have_count(2)

    # Deleting a document asks first; cancelling the question keeps it.
    note.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete “release-notes.md”?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("document-row")).to_have_count(2)
    note.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(note).to_have_count(0)
    expect(page.get_by_test_id("document-row")).to_have_count(1)
    names = [d["filename"] for d in admin.get(f"/knowledge-bases/{kb['id']}/documents").json()]
    assert names == [SPEC_PDF.name]


def test_cancel_retry_and_delete_the_knowledge_base(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes
) -> None:
    page.goto(builder_url + "/knowledge-bases")
    name = f"Cancel me {time.monotonic_ns()}"
    create_knowledge_base(page, name, chunk_size=300, chunk_overlap=50)
    kb = next(k for k in admin.get("/knowledge-bases").json() if k["name"] == name)

    fakes.openai.script([Delay(3)] * 3, EMBEDDINGS)
    try:
        page.get_by_test_id("file-input").set_input_files(str(SPEC_PDF))
        row = document_row(page, SPEC_PDF.name)
        expect(row.get_by_text("running", exact=True)).to_be_visible(timeout=60_000)
        row.get_by_role("button", name="Cancel").click()
        expect(row.get_by_text("cancelled", exact=True)).to_be_visible(timeout=60_000)
    finally:
        fakes.openai.clear_script()
    expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    row.get_by_role("button", name="Retry").click()
    expect(row.get_by_text("completed", exact=True)).to_be_visible(timeout=INGESTION_TIMEOUT_MS)
    expect(row.get_by_test_id("document-percentage")).to_have_text("100%")

    # Narrow screens: one column, nothing wider than the window.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(row).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    snap(page, "32b-knowledge-bases-narrow")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Delete knowledge base").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Delete “{name}”?")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("kb-item").filter(has_text=name)).to_have_count(0)
    assert admin.get(f"/knowledge-bases/{kb['id']}").status_code == 404


def test_rename_and_reindex(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes
) -> None:
    name = f"Rename me {time.monotonic_ns()}"
    created = admin.post(
        "/knowledge-bases",
        json={"name": name, "description": "Before", "embedding_provider": "openai"},
    )
    created.raise_for_status()
    kb = created.json()
    admin.post(
        "/documents/upload",
        data={"knowledge_base_id": kb["id"]},
        files={"file": ("notes.md", NOTE.encode(), "text/markdown")},
    ).raise_for_status()
    page.goto(f"{builder_url}/knowledge-bases?kb={kb['id']}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    row = document_row(page, "notes.md")
    expect(row.get_by_text("completed", exact=True)).to_be_visible(timeout=INGESTION_TIMEOUT_MS)

    # Rename and describe; a refusal reads as the API's message, in the dialog.
    page.get_by_role("button", name="Edit", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value(name)
    dialog.get_by_label("Name", exact=True).fill("   ")
    expect(dialog).to_contain_text("A name is required")
    expect(dialog.get_by_role("button", name="Save")).to_be_disabled()
    new_name = f"Renamed {time.monotonic_ns()}"
    dialog.get_by_label("Name", exact=True).fill(new_name)
    dialog.get_by_label("Description").fill("Release notes, renamed in the browser")

    def refuse(route: Route) -> None:
        if route.request.method != "PUT":
            route.fallback()
            return
        route.fulfill(
            status=422,
            json={
                "error": {
                    "code": "invalid_request",
                    "message": "name: String should have at most 200 characters",
                    "details": {},
                }
            },
        )

    kb_url = f"**/api/v1/knowledge-bases/{kb['id']}"
    page.route(kb_url, refuse)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "Could not save: name: String should have at most 200 characters"
    )
    page.unroute(kb_url, refuse)
    snap(page, "33-knowledge-base-edit")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name=new_name)).to_be_visible()
    expect(page.get_by_text("Release notes, renamed in the browser")).to_be_visible()
    expect(page.get_by_test_id("kb-item").filter(has_text=new_name)).to_have_count(1)
    expect(page.get_by_test_id("kb-item").filter(has_text=name)).to_have_count(0)
    after = admin.get(f"/knowledge-bases/{kb['id']}").json()
    assert (after["name"], after["description"]) == (
        new_name,
        "Release notes, renamed in the browser",
    )

    # Re-index with another model: asked first, then the document is ingested again.
    page.get_by_role("button", name="Re-index").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Re-index “{new_name}”?")
    expect(dialog.get_by_test_id("reindex-warning")).to_contain_text(
        "Every document is ingested again"
    )
    expect(dialog.get_by_test_id("reindex-warning")).to_contain_text("new collection")
    expect(dialog.get_by_label("Embedding model")).to_have_value("text-embedding-3-small")
    dialog.get_by_label("Embedding model").fill("text-embedding-3-large")
    snap(page, "33a-knowledge-base-reindex")
    fakes.openai.script([Delay(2)] * 2, EMBEDDINGS)
    try:
        dialog.get_by_role("button", name="Re-index").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_text("openai · text-embedding-3-large").first).to_be_visible()
        expect(row.get_by_text(re.compile(r"^(queued|running)$"))).to_be_visible()
        expect(row.get_by_text("completed", exact=True)).to_be_visible(timeout=INGESTION_TIMEOUT_MS)
    finally:
        fakes.openai.clear_script()
    expect(row.get_by_test_id("document-percentage")).to_have_text("100%")
    reindexed = admin.get(f"/knowledge-bases/{kb['id']}").json()
    assert reindexed["embedding_model"] == "text-embedding-3-large"
    assert reindexed["collection"] != kb["collection"]
    (doc,) = admin.get(f"/knowledge-bases/{kb['id']}/documents").json()
    assert doc["status"] == "completed" and doc["chunks_embedded"] > 0
    admin.delete(f"/knowledge-bases/{kb['id']}").raise_for_status()


def test_upload_shows_bytes_sent(page: Page, builder_url: str, admin: httpx.Client) -> None:
    name = f"Slow upload {time.monotonic_ns()}"
    created = admin.post("/knowledge-bases", json={"name": name, "embedding_provider": "openai"})
    created.raise_for_status()
    kb = created.json()
    page.goto(f"{builder_url}/knowledge-bases?kb={kb['id']}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    # A slow link (about 256 KB/s up), so the bytes can be seen going.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 256 * 1024},
    )
    text = ("Slow but steady. " * 64 + "\n") * 700  # about 760 KB
    try:
        page.get_by_test_id("file-input").set_input_files(
            files=[FilePayload(name="slow.txt", mimeType="text/plain", buffer=text.encode())]
        )
        pending = page.get_by_test_id("upload-pending")
        expect(pending).to_contain_text(re.compile(r"Uploading slow\.txt… ([1-9]\d?)%"))
        now = int(pending.get_by_role("progressbar").get_attribute("aria-valuenow") or 0)
        assert 0 < now < 100, now
        snap(page, "33b-upload-progress")
    finally:
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    expect(pending).to_have_count(0, timeout=30_000)
    expect(document_row(page, "slow.txt")).to_be_visible()
    admin.delete(f"/knowledge-bases/{kb['id']}").raise_for_status()
