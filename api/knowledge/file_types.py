"""What an upload is, decided from its bytes (magic numbers), never from its name alone.

PDF starts with ``%PDF-``; DOCX is a ZIP holding ``word/document.xml``; text is valid
UTF-8 without NUL bytes (Markdown when named ``.md``/``.markdown``). A name whose
extension promises one of these must agree with the bytes.
"""

import codecs
import zipfile
from pathlib import Path, PurePosixPath
from typing import Literal

from api.core.errors import ApiError
from workflows.ingest_io import DocumentType

ContentKind = Literal["pdf", "docx", "text"]

HEAD_BYTES = 16
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
DOCX_MARKER = "word/document.xml"
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown"})

_EXTENSION_KINDS: dict[str, ContentKind] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
}
_KIND_NAMES: dict[ContentKind, str] = {
    "pdf": "a PDF",
    "docx": "a Word (DOCX) document",
    "text": "UTF-8 text",
}
# Only to say what a refused file looks like; none of these is accepted.
_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office (OLE) file such as .doc"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\x1f\x8b", "a gzip archive"),
)


class ContentSniffer:
    """Fed an upload chunk by chunk while it streams; keeps only what deciding needs."""

    def __init__(self) -> None:
        self.head = b""
        self.size = 0
        self.is_text = True
        self._utf8 = codecs.getincrementaldecoder("utf-8")()

    def feed(self, data: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.size += len(data)
        if self.is_text:
            self.is_text = b"\x00" not in data and self._decodes(data, final=False)

    def finish(self) -> None:
        if self.is_text:
            self.is_text = self._decodes(b"", final=True)

    def _decodes(self, data: bytes, *, final: bool) -> bool:
        try:
            self._utf8.decode(data, final=final)
        except UnicodeDecodeError:
            return False
        return True


def _is_docx(stored: Path) -> bool:
    try:
        with zipfile.ZipFile(stored) as archive:
            return DOCX_MARKER in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _content_kind(sniffed: ContentSniffer, stored: Path) -> tuple[ContentKind | None, str]:
    """The accepted kind (None if not accepted) and what the bytes are, in words."""
    kind: ContentKind | None = None
    if sniffed.head.startswith(PDF_MAGIC):
        kind = "pdf"
    elif sniffed.head.startswith(ZIP_MAGIC):
        if not _is_docx(stored):
            return None, "a ZIP archive that is not a Word document"
        kind = "docx"
    elif sniffed.is_text:
        kind = "text"
    if kind is not None:
        return kind, _KIND_NAMES[kind]
    for magic, name in _OTHER_SIGNATURES:
        if sniffed.head.startswith(magic):
            return None, name
    return None, "binary data"


def decide_document_type(sniffed: ContentSniffer, filename: str, stored: Path) -> DocumentType:
    """The document type of a stored upload; 422 when empty, 415 when not accepted.

    Blocking (opens a ZIP's directory): call it from a worker thread.
    """
    if sniffed.size == 0:
        raise ApiError(422, "empty_file", f"'{filename}' is empty", {"filename": filename})
    kind, described = _content_kind(sniffed, stored)
    extension = PurePosixPath(filename).suffix.lower()
    promised = _EXTENSION_KINDS.get(extension)
    details = {"filename": filename, "extension": extension, "content": described}
    if kind is None:
        named = f"is named '{extension}' but " if promised else ""
        raise ApiError(
            415,
            "unsupported_media_type",
            f"'{filename}' {named}holds {described}; "
            "upload a PDF, DOCX, plain text or Markdown file",
            details,
        )
    if promised is not None and promised != kind:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"'{filename}' is named '{extension}', which promises {_KIND_NAMES[promised]}, "
            f"but holds {described}; rename it or upload the right file",
            details,
        )
    if kind == "text":
        return "md" if extension in MARKDOWN_EXTENSIONS else "txt"
    return kind
