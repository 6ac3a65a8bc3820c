"""Receiving an upload: the multipart body streamed straight to disk within a size limit.

The request body is read here, chunk by chunk, from ``request.stream()`` and parsed by
python-multipart's push parser; the file part's bytes go to a ``.part`` file under
the upload folder as they arrive, so memory stays flat whatever the size. The limit is
enforced twice: a declared ``Content-Length`` that cannot fit is refused before a byte
is read, and the streamed file is abandoned (and removed) as soon as it passes the limit.
"""

import contextlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request

from api.core.errors import ApiError
from api.knowledge.file_types import ContentSniffer

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

# Room for boundaries, part headers and the small fields around the file.
MULTIPART_ENVELOPE_BYTES = 64 * 1024
MAX_FIELD_BYTES = 1024
MAX_FILENAME_CHARS = 255
FALLBACK_FILENAME = "upload"
_SEPARATORS = re.compile(r"[/\\]")


def sanitise_filename(raw: str) -> str:
    """The basename of ``raw`` without control characters or separators, ≤ 255 characters."""
    base = _SEPARATORS.split(raw)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if cleaned in {"", ".", ".."}:
        return FALLBACK_FILENAME
    if len(cleaned) <= MAX_FILENAME_CHARS:
        return cleaned
    suffix = PurePosixPath(cleaned).suffix[:16]
    return cleaned[: MAX_FILENAME_CHARS - len(suffix)] + suffix


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "payload_too_large", f"Files are limited to {limit} bytes", {"limit_bytes": limit}
    )


def refuse_declared_oversize(headers: Headers, limit: int) -> None:
    """413 before reading, when the declared body cannot hold a file within ``limit``."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MULTIPART_ENVELOPE_BYTES:
        raise too_large(limit)


def invalid_field(field_name: str, message: str) -> ApiError:
    problem = {"field": field_name, "message": message, "type": "invalid_upload"}
    return ApiError(422, "invalid_request", f"{field_name}: {message}", {"problems": [problem]})


@dataclass
class ReceivedUpload:
    """A streamed upload: its text fields, the file's sanitised name, where its bytes are."""

    fields: dict[str, str]
    filename: str
    path: Path
    content: ContentSniffer


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)


class _MultipartReader:
    """python-multipart callbacks: small fields kept in memory, the file's bytes queued."""

    def __init__(self, file_field: str, text_fields: frozenset[str], limit: int) -> None:
        self.file_field = file_field
        self.text_fields = text_fields
        self.limit = limit
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.file_bytes = 0
        self.file_done = False
        self.ended = False
        self.pending: list[bytes] = []  # file bytes parsed but not yet written
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def take_pending(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        return data

    def _part_begin(self) -> None:
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition"))
        self._part.name = _decode(options.get(b"name", b""))
        if b"filename" in options:
            self._part.filename = _decode(options[b"filename"])
        if self._part.name == self.file_field:
            if self._part.filename is None:
                raise invalid_field(self.file_field, "must be a file, not a text field")
            if self.filename is not None:
                raise invalid_field(self.file_field, "send exactly one file per upload")
            self.filename = self._part.filename
        elif self._part.name not in self.text_fields:
            raise invalid_field(self._part.name or "body", "unexpected field")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.name == self.file_field:
            self.file_bytes += end - start
            if self.file_bytes > self.limit:
                raise too_large(self.limit)
            self.pending.append(data[start:end])
            return
        self._part.data += data[start:end]
        if len(self._part.data) > MAX_FIELD_BYTES:
            raise invalid_field(self._part.name, f"longer than {MAX_FIELD_BYTES} bytes")

    def _part_end(self) -> None:
        if self._part.name == self.file_field:
            self.file_done = True
            return
        value = _decode(bytes(self._part.data))
        if any(unicodedata.category(ch)[0] == "C" for ch in value):
            # Not JSON, so RequestGuard never sees it; PostgreSQL refuses a null byte in text.
            raise invalid_field(self._part.name, "may not hold a control character")
        self.fields[self._part.name] = value

    def _end(self) -> None:
        self.ended = True


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _boundary(headers: Headers) -> bytes:
    media_type, options = parse_options_header(headers.get("content-type"))
    if media_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the upload as multipart/form-data with the fields 'knowledge_base_id' and 'file'",
        )
    return options[b"boundary"]


async def receive_upload(
    request: Request, upload_dir: Path, limit: int, file_field: str, text_fields: frozenset[str]
) -> ReceivedUpload:
    """Streams the request's multipart body, writing the file part to ``upload_dir``.

    Raises ``ApiError`` (413, 415, 422, 400) with nothing left on disk.
    """
    refuse_declared_oversize(request.headers, limit)
    reader = _MultipartReader(file_field, text_fields, limit)
    try:
        parser = MultipartParser(_boundary(request.headers), reader.callbacks())
    except FormParserError as err:
        raise ApiError(400, "malformed_upload", f"The multipart body is malformed: {err}") from err
    await run_in_threadpool(upload_dir.mkdir, parents=True, exist_ok=True)
    path = upload_dir / f"{uuid.uuid4()}.part"
    sniffer = ContentSniffer()
    out: BinaryIO = await run_in_threadpool(path.open, "xb")
    try:
        await _copy_body(request, parser, reader, sniffer, out)
    except BaseException:
        out.close()
        path.unlink(missing_ok=True)
        raise
    out.close()
    sniffer.finish()
    return ReceivedUpload(reader.fields, sanitise_filename(reader.filename or ""), path, sniffer)


async def _copy_body(
    request: Request,
    parser: MultipartParser,
    reader: _MultipartReader,
    sniffer: ContentSniffer,
    out: BinaryIO,
) -> None:
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            data = reader.take_pending()
            if data:
                sniffer.feed(data)
                await run_in_threadpool(out.write, data)
        with contextlib.suppress(FormParserError):
            parser.finalize()
    except FormParserError as err:
        raise ApiError(400, "malformed_upload", f"The multipart body is malformed: {err}") from err
    except ClientDisconnect as err:
        raise ApiError(400, "upload_incomplete", "The client went away mid-upload") from err
    if reader.filename is None:
        raise invalid_field(reader.file_field, "a file is required")
    if not reader.file_done or not reader.ended:
        raise ApiError(400, "upload_incomplete", "The multipart body ended before its last part")
