"""The upload receiver streams to disk, stops at the limit, and names files safely."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.types import Message

from api.core.errors import ApiError
from api.knowledge.file_types import ContentSniffer, decide_document_type
from api.knowledge.uploads import (
    MULTIPART_ENVELOPE_BYTES,
    ReceivedUpload,
    receive_upload,
    sanitise_filename,
)

BOUNDARY = "unit-boundary"
CHUNK = 64 * 1024


def multipart(filename: str, file_chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="knowledge_base_id"\r\n\r\nkb-1\r\n'
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n'
    ).encode()
    yield from file_chunks
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


class StreamedRequest:
    """An ASGI request whose body arrives in chunks; counts what the app read."""

    def __init__(self, chunks: Iterator[bytes], content_length: int | None = None) -> None:
        self.chunks = list(chunks)
        self.read = 0
        headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
        if content_length is not None:
            headers.append((b"content-length", str(content_length).encode()))
        scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
        self.request = Request(scope, self._receive)

    async def _receive(self) -> Message:
        chunk = self.chunks[self.read]
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": self.read < len(self.chunks)}


async def receive(request: StreamedRequest, folder: Path, limit: int) -> ReceivedUpload:
    return await receive_upload(
        request.request,
        folder,
        limit,
        file_field="file",
        text_fields=frozenset({"knowledge_base_id"}),
    )


async def test_file_part_is_written_to_disk_with_its_fields(tmp_path: Path) -> None:
    data = [b"line of text\n" * 5000 for _ in range(3)]
    upload = await receive(StreamedRequest(multipart("notes.txt", iter(data))), tmp_path, 10**6)
    assert upload.fields == {"knowledge_base_id": "kb-1"}
    assert upload.filename == "notes.txt"
    assert upload.path.read_bytes() == b"".join(data)
    assert upload.content.size == sum(map(len, data)) and upload.content.is_text


async def test_streaming_stops_right_after_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    limit = 10 * CHUNK
    request = StreamedRequest(multipart("big.txt", (b"a" * CHUNK for _ in range(100))))
    with pytest.raises(ApiError) as refused:
        await receive(request, tmp_path, limit)
    assert refused.value.status == 413
    assert request.read <= 1 + limit // CHUNK + 1  # head, the chunks within, the one past
    assert list(tmp_path.iterdir()) == []


async def test_declared_oversize_is_refused_before_reading(tmp_path: Path) -> None:
    limit = 1000
    request = StreamedRequest(
        multipart("big.txt", iter([b"a" * 10])), content_length=limit + MULTIPART_ENVELOPE_BYTES + 1
    )
    with pytest.raises(ApiError) as refused:
        await receive(request, tmp_path, limit)
    assert (refused.value.status, request.read) == (413, 0)
    assert list(tmp_path.iterdir()) == []


async def test_a_body_cut_short_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    chunks = list(multipart("cut.txt", iter([b"a" * 100])))[:-1]  # no closing boundary
    with pytest.raises(ApiError) as refused:
        await receive(StreamedRequest(iter(chunks)), tmp_path, 10**6)
    assert (refused.value.status, refused.value.code) == (400, "upload_incomplete")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("a\x00b\x1fc\x7f.md", "abc.md"),
        ("..", "upload"),
        ("", "upload"),
        ("/", "upload"),
        ("  spaced name.txt ", "spaced name.txt"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_filenames_are_sanitised(raw: str, clean: str) -> None:
    assert sanitise_filename(raw) == clean


def sniffed(data: bytes) -> ContentSniffer:
    sniffer = ContentSniffer()
    for start in range(0, len(data), 7):  # split mid-character on purpose
        sniffer.feed(data[start : start + 7])
    sniffer.finish()
    return sniffer


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.txt", "naïve café — ok".encode(), "txt"),
        ("a.md", b"# t", "md"),
        ("a.markdown", b"# t", "md"),
        ("notes", b"no extension", "txt"),
        ("data.csv", b"a,b\n1,2", "txt"),
        ("a.pdf", b"%PDF-1.7\n...", "pdf"),
    ],
)
def test_types_come_from_the_bytes(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    assert decide_document_type(sniffed(data), name, tmp_path / "unused") == kind


def test_invalid_utf8_split_across_chunks_is_not_text(tmp_path: Path) -> None:
    with pytest.raises(ApiError) as refused:
        decide_document_type(sniffed(b"abc\xe2\x82"), "a.txt", tmp_path / "unused")
    assert refused.value.status == 415
