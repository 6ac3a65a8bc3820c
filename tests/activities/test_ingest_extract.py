"""extract_document on the spec PDF of tests/data, DOCX and text files, and on hostile uploads."""

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ingest.activities import IngestActivities
from activities.ingest.document_text import ExtractionLimits
from settings import Settings
from tests.support import documents
from tests.support.documents import SPEC_PAGE_14_PHRASE, SPEC_PAGES, SPEC_PDF
from workflows.ingest_io import DocumentType, ExtractInput, ExtractOutput

# Generous: each case takes well under a second; this only guards against a hang.
QUICKLY_SECONDS = 5.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", chroma_url=None)


def upload(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


async def extract(
    settings: Settings,
    path: Path,
    file_type: DocumentType,
    *,
    env: ActivityEnvironment | None = None,
    limits: ExtractionLimits | None = None,
) -> ExtractOutput:
    activities = IngestActivities(settings, limits=limits)
    return await (env or ActivityEnvironment()).run(
        activities.extract_document,
        ExtractInput(
            document_id="doc-1", file_path=str(path), file_type=file_type, work_dir="doc-1"
        ),
    )


def read_pages(settings: Settings, output: ExtractOutput) -> list[dict[str, object]]:
    lines = (settings.ingest_work_dir / output.pages_path).read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines()]


async def test_the_spec_pdf_yields_its_17_pages_in_order_heartbeating_each(
    settings: Settings,
) -> None:
    env = ActivityEnvironment()
    heartbeats: list[tuple[object, ...]] = []
    env.on_heartbeat = lambda *details: heartbeats.append(details)

    output = await extract(settings, SPEC_PDF, "pdf", env=env)

    pages = read_pages(settings, output)
    assert output.pages_path == "doc-1/pages.jsonl"
    assert output.pages_extracted == SPEC_PAGES
    assert [p["page"] for p in pages] == list(range(1, SPEC_PAGES + 1))
    assert all(str(p["text"]).startswith("Shared MIME-info Database") for p in pages)
    assert output.characters == sum(len(str(p["text"])) for p in pages) > 30_000
    assert [n for n, p in enumerate(pages, 1) if SPEC_PAGE_14_PHRASE in str(p["text"])] == [14]
    assert heartbeats == [(n,) for n in range(1, SPEC_PAGES + 1)]


async def test_pages_of_a_generated_pdf_keep_their_lines(
    settings: Settings, tmp_path: Path
) -> None:
    pdf = documents.pdf_bytes(documents.text_pdf(["Refunds (in euros).\nPaid in 14 days.", "Two"]))

    output = await extract(settings, upload(tmp_path, "a.pdf", pdf), "pdf")

    assert read_pages(settings, output) == [
        {"page": 1, "text": "Refunds (in euros).\nPaid in 14 days."},
        {"page": 2, "text": "Two"},
    ]


async def test_a_pdf_locked_only_against_editing_is_read(
    settings: Settings, tmp_path: Path
) -> None:
    writer = documents.text_pdf(["Open to read, closed to edit."])
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = upload(tmp_path, "locked.pdf", documents.pdf_bytes(writer))

    output = await extract(settings, path, "pdf")

    assert read_pages(settings, output)[0]["text"] == "Open to read, closed to edit."


async def test_docx_paragraphs_tables_tabs_and_breaks_become_one_page_of_text(
    settings: Settings, tmp_path: Path
) -> None:
    docx = documents.docx_bytes(
        "<w:p><w:r><w:t>Refund policy</w:t></w:r></w:p>"
        '<w:p><w:r><w:t xml:space="preserve">Paid </w:t></w:r><w:r><w:t>within</w:t><w:tab/>'
        "<w:t>14 days</w:t><w:br/><w:t>of return.</w:t></w:r></w:p>"
        "<w:p><w:del><w:r><w:delText>Deleted words</w:delText></w:r></w:del></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )

    output = await extract(settings, upload(tmp_path, "policy.docx", docx), "docx")

    text = "Refund policy\n\nPaid within\t14 days\nof return.\n\nCell A"
    assert (output.pages_extracted, output.characters) == (1, len(text))
    assert read_pages(settings, output) == [{"page": 1, "text": text}]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Grüße, naïve café — ok.\n".encode(), "Grüße, naïve café — ok.\n"),
        (b"\xef\xbb\xbf# Title\n", "# Title\n"),  # UTF-8 byte-order mark dropped
        ("café crème €5".encode("cp1252"), "café crème €5"),  # legacy Windows text
        ("naïve".encode("utf-16"), "naïve"),  # UTF-16 with its byte-order mark
        (b"A" * 200 + b"\x00.", "A" * 200 + "."),  # a stray NUL no store accepts
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252-fallback", "utf-16-bom", "stray-nul-dropped"],
)
async def test_text_files_are_utf8_with_a_windows_1252_fallback(
    settings: Settings, tmp_path: Path, data: bytes, text: str
) -> None:
    output = await extract(settings, upload(tmp_path, "notes.md", data), "md")

    assert read_pages(settings, output) == [{"page": 1, "text": text}]


def _random_bytes() -> bytes:
    return os.urandom(64_000)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


@pytest.mark.parametrize(
    ("name", "file_type", "make", "error_type", "message"),
    [
        (
            "secret.pdf",
            "pdf",
            documents.encrypted_pdf,
            "DocumentUnreadable",
            "the PDF is encrypted",
        ),
        (
            "truncated.pdf",
            "pdf",
            lambda: documents.pdf_bytes(documents.text_pdf(["Hello."] * 3))[:400],
            "DocumentUnreadable",
            "not a readable PDF",
        ),
        (
            "bomb.pdf",
            "pdf",
            documents.flate_bomb_pdf,
            "DocumentUnreadable",
            "page 1 of the PDF decompresses to more than 50 MB",
        ),
        (
            "scan.pdf",
            "pdf",
            documents.image_only_pdf,
            "DocumentUnreadable",
            "no extractable text — the PDF looks scanned; OCR is not supported",
        ),
        ("empty.pdf", "pdf", lambda: b"", "DocumentUnreadable", "the file is empty"),
        ("random.pdf", "pdf", _random_bytes, "DocumentUnreadable", "not a readable PDF"),
        ("random.docx", "docx", _random_bytes, "DocumentUnreadable", "not a readable DOCX"),
        (
            "laughs.docx",
            "docx",
            lambda: documents.zip_parts({"word/document.xml": BILLION_LAUGHS + "<a>&lol2;</a>"}),
            "DocumentUnreadable",
            "declares a DTD",
        ),
        ("blank.txt", "txt", lambda: b" \n\t\n", "DocumentUnreadable", "contains no text"),
        ("random.txt", "txt", _random_bytes, "DocumentUnreadable", "not plain text"),
    ],
)
async def test_hostile_or_broken_uploads_fail_at_once_with_a_readable_reason(
    settings: Settings,
    tmp_path: Path,
    name: str,
    file_type: DocumentType,
    make: Callable[[], bytes],
    error_type: str,
    message: str,
) -> None:
    path = upload(tmp_path, name, make())
    started = time.monotonic()

    with pytest.raises(ApplicationError) as caught:
        await extract(settings, path, file_type)

    assert time.monotonic() - started < QUICKLY_SECONDS
    assert caught.value.non_retryable is True
    assert caught.value.type == error_type
    assert message in caught.value.message
    assert list((settings.ingest_work_dir / "doc-1").iterdir()) == []  # no partial pages file


@pytest.mark.parametrize(
    ("limits", "error_type", "message"),
    [
        (ExtractionLimits(max_pages=5), "DocumentTooLarge", "the PDF has 17 pages; the limit is 5"),
        (
            ExtractionLimits(max_document_chars=10_000),
            "DocumentTooLarge",
            "more than 10,000 characters",
        ),
        (
            ExtractionLimits(max_page_chars=1_000),
            "DocumentUnreadable",
            "page 1 of the PDF yields 1,401 characters (limit 1,000)",
        ),
        (ExtractionLimits(max_file_bytes=1_000), "DocumentTooLarge", "the limit is 1,000"),
        (
            ExtractionLimits(page_timeout_seconds=0.01),
            "DocumentUnreadable",
            "took longer than 0.01 s",
        ),
    ],
    ids=["pages", "document-characters", "page-characters", "file-size", "page-time"],
)
async def test_a_document_beyond_a_limit_fails_naming_the_limit(
    settings: Settings, limits: ExtractionLimits, error_type: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        await extract(settings, SPEC_PDF, "pdf", limits=limits)

    assert (caught.value.type, caught.value.non_retryable) == (error_type, True)
    assert message in caught.value.message


async def test_a_page_needing_more_memory_than_the_cap_fails_without_taking_it(
    settings: Settings, tmp_path: Path
) -> None:
    # Lift pypdf's decompression limit, so only the process's memory cap stops the bomb.
    limits = ExtractionLimits(max_stream_bytes=1_000_000_000, memory_bytes=128 * 1024 * 1024)
    path = upload(tmp_path, "bomb.pdf", documents.flate_bomb_pdf())

    with pytest.raises(ApplicationError) as caught:
        await extract(settings, path, "pdf", limits=limits)

    assert caught.value.non_retryable is True
    assert "needs more than 128 MB of memory" in caught.value.message


async def test_cancelling_extraction_stops_its_process_and_leaves_no_pages_file(
    settings: Settings,
) -> None:
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *_: env.cancel()  # cancel at the first page
    children_before = {p.pid for p in psutil.Process().children()}

    with pytest.raises(asyncio.CancelledError):
        await extract(settings, SPEC_PDF, "pdf", env=env)

    assert {p.pid for p in psutil.Process().children()} == children_before
    assert list((settings.ingest_work_dir / "doc-1").iterdir()) == []


async def test_a_missing_upload_fails_without_retrying(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as caught:
        await extract(settings, tmp_path / "gone.pdf", "pdf")

    assert (caught.value.type, caught.value.non_retryable) == ("IngestFileUnreadable", True)


async def test_a_work_dir_outside_the_ingest_folder_is_refused(settings: Settings) -> None:
    activities = IngestActivities(settings)

    with pytest.raises(ApplicationError, match="not inside the ingest work folder"):
        await ActivityEnvironment().run(
            activities.extract_document,
            ExtractInput(
                document_id="doc-1", file_path=str(SPEC_PDF), file_type="pdf", work_dir="../x"
            ),
        )
