"""Plain text out of uploaded PDF, DOCX, TXT and Markdown files, page by page, within limits.

Uploads are untrusted. Every way a file can fail to yield text raises ``DocumentProblem``
with a message a user can act on: encrypted, damaged, a decompression bomb, scanned (no
text layer), empty, not text at all, or too large. pypdf's own decompression limits are
lowered for each call; what those limits cannot catch (a parser that spins or allocates
without end) is contained by running this module in a child process
(``activities.ingest.extraction_process``), which is why it imports nothing heavy.

Pages: a PDF yields one text per page (numbered 1..n by the caller). DOCX, TXT and MD
have no pages, so each yields its whole text once, as page 1.

Text files are decoded as UTF-8 (a byte-order mark is honoured, UTF-16 with a BOM too);
a file that is not valid UTF-8 is read as Windows-1252, the usual encoding of legacy
Western text, rather than rejected. Binary data (control characters) is rejected.
"""

import codecs
import dataclasses
import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
from pypdf.errors import FileNotDecryptedError, LimitReachedError

DOCUMENT_UNREADABLE = "DocumentUnreadable"
DOCUMENT_TOO_LARGE = "DocumentTooLarge"

_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main "
_DOCX_BODY = "word/document.xml"
_READ_CHUNK = 1 << 16
# Share of control characters (other than tab, newline, carriage return, form feed)
# above which a "text" file is taken to be binary.
_MAX_CONTROL_SHARE = 0.01
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


class DocumentProblem(Exception):
    """A document that can never be extracted, whatever the retries.

    Attributes:
        code: ``DocumentUnreadable`` or ``DocumentTooLarge``.
    """

    def __init__(self, message: str, code: str = DOCUMENT_UNREADABLE) -> None:
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class ExtractionLimits:
    """What one document may cost to extract.

    Attributes:
        max_file_bytes: Largest file accepted (the upload limit).
        max_pages: Most pages a PDF may have.
        max_page_chars: Most characters one PDF page may yield; a real page holds a few
            thousand, so more means a crafted or broken file.
        max_document_chars: Most characters a whole document may yield.
        max_stream_bytes: Most bytes one compressed PDF stream or DOCX part may inflate to.
        memory_bytes: Address-space cap of the extraction process.
        page_timeout_seconds: Longest one page (or a whole non-PDF file) may take.
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 10_000
    max_page_chars: int = 1_000_000
    max_document_chars: int = 50_000_000
    max_stream_bytes: int = 50_000_000
    memory_bytes: int = 2 * 1024 * 1024 * 1024
    page_timeout_seconds: float = 60.0


def iter_page_texts(path: Path, file_type: str, limits: ExtractionLimits) -> Iterator[str]:
    """Yield the text of each page of ``path``, in order.

    Args:
        path: The stored upload.
        file_type: ``pdf``, ``docx``, ``txt`` or ``md``.
        limits: Caps on size, characters and decompression.

    Raises:
        DocumentProblem: The file is empty, too large, damaged, encrypted, has no text,
            or is not of ``file_type``.
    """
    size = path.stat().st_size
    if size == 0:
        raise DocumentProblem("the file is empty")
    if size > limits.max_file_bytes:
        raise DocumentProblem(
            f"the file is {size:,} bytes; the limit is {limits.max_file_bytes:,}",
            DOCUMENT_TOO_LARGE,
        )
    if file_type == "pdf":
        pages = _pdf_pages(path, limits)
    elif file_type == "docx":
        pages = iter([_docx_text(path, limits)])
    elif file_type in ("txt", "md"):
        pages = iter([_decode_text(path.read_bytes())])
    else:
        raise DocumentProblem(f"unsupported file type '{file_type}'")
    total = 0
    has_text = False
    for text in pages:
        total += len(text)
        if total > limits.max_document_chars:
            raise DocumentProblem(
                f"the document yields more than {limits.max_document_chars:,} characters",
                DOCUMENT_TOO_LARGE,
            )
        text = _clean(text)
        has_text = has_text or bool(text.strip())
        yield text
    if not has_text:
        if file_type == "pdf":
            raise DocumentProblem(
                "no extractable text — the PDF looks scanned; OCR is not supported"
            )
        raise DocumentProblem("the document contains no text")


def _pdf_configuration(limits: ExtractionLimits) -> pypdf.Configuration:
    cap = limits.max_stream_bytes
    return pypdf.Configuration(
        array_based_stream_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=4 * cap,
        jbig2dec_binary=None,  # never run an external decoder on an upload
    )


def _pdf_pages(path: Path, limits: ExtractionLimits) -> Iterator[str]:
    config = _pdf_configuration(limits)
    mb = limits.max_stream_bytes // 1_000_000
    try:
        with pypdf.apply_configuration(config):
            reader = pypdf.PdfReader(path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentProblem(
                    "the PDF is encrypted (password-protected); remove the password and "
                    "upload it again"
                )
            count = len(reader.pages)
    except (DocumentProblem, MemoryError):
        raise
    except FileNotDecryptedError:
        raise DocumentProblem("the PDF is encrypted (password-protected)") from None
    except LimitReachedError as error:
        raise DocumentProblem(f"the PDF exceeds a safety limit ({error})") from None
    except Exception as error:
        raise DocumentProblem(f"the file is not a readable PDF ({_describe(error)})") from None
    if count > limits.max_pages:
        raise DocumentProblem(
            f"the PDF has {count:,} pages; the limit is {limits.max_pages:,}", DOCUMENT_TOO_LARGE
        )
    for index in range(count):
        number = index + 1
        try:
            with pypdf.apply_configuration(config):
                text = reader.pages[index].extract_text()
        except LimitReachedError as error:
            what = (
                f"decompresses to more than {mb} MB"
                if "decompress" in str(error)
                else f"exceeds a safety limit ({error})"
            )
            raise DocumentProblem(
                f"page {number} of the PDF {what}; the file looks malicious or damaged"
            ) from None
        except RecursionError:
            raise DocumentProblem(f"page {number} of the PDF is nested too deeply") from None
        except MemoryError:
            raise  # reported by the extraction process with its memory limit
        except Exception as error:
            raise DocumentProblem(
                f"page {number} of the PDF could not be read ({_describe(error)})"
            ) from None
        if len(text) > limits.max_page_chars:
            raise DocumentProblem(
                f"page {number} of the PDF yields {len(text):,} characters (limit "
                f"{limits.max_page_chars:,}); the file looks malicious or damaged"
            )
        yield text


def _docx_text(path: Path, limits: ExtractionLimits) -> str:
    """The body text of a DOCX: paragraphs separated by blank lines, tables included."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise DocumentProblem("the file is not a readable DOCX (not a zip archive)") from None
    with archive:
        try:
            info = archive.getinfo(_DOCX_BODY)
        except KeyError:
            raise DocumentProblem(f"the file is not a DOCX ({_DOCX_BODY} is missing)") from None
        if info.file_size > limits.max_stream_bytes:
            raise DocumentProblem(
                f"the DOCX body inflates to {info.file_size:,} bytes (limit "
                f"{limits.max_stream_bytes:,})",
                DOCUMENT_TOO_LARGE,
            )
        reader = _DocxBodyReader(limits.max_document_chars)
        try:
            # zipfile stops at the declared size, so the check above bounds the inflation.
            with archive.open(info) as body:
                while data := body.read(_READ_CHUNK):
                    reader.feed(data)
            reader.close()
        except (zipfile.BadZipFile, xml.parsers.expat.ExpatError, OSError, EOFError) as error:
            raise DocumentProblem(f"the DOCX is damaged ({_describe(error)})") from None
        except NotImplementedError as error:  # e.g. an unsupported compression method
            raise DocumentProblem(f"the DOCX cannot be opened ({error})") from None
    return reader.text()


class _DocxBodyReader:
    """Streams ``word/document.xml`` through expat and keeps only the visible text."""

    def __init__(self, max_chars: int) -> None:
        self._max_chars = max_chars
        self._chars = 0
        self._paragraphs: list[str] = []
        self._current: list[str] = []
        self._in_text = 0
        self._parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._characters
        # OOXML never declares a DTD; refusing one rules out entity-expansion tricks.
        self._parser.StartDoctypeDeclHandler = self._doctype

    def feed(self, data: bytes) -> None:
        self._parser.Parse(data, False)

    def close(self) -> None:
        self._parser.Parse(b"", True)

    def text(self) -> str:
        return "\n\n".join(p for p in self._paragraphs if p.strip())

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _WORD_NS + "t":
            self._in_text += 1
        elif name == _WORD_NS + "tab":
            self._append("\t")
        elif name in (_WORD_NS + "br", _WORD_NS + "cr"):
            self._append("\n")

    def _end(self, name: str) -> None:
        if name == _WORD_NS + "t":
            self._in_text -= 1
        elif name == _WORD_NS + "p":
            self._paragraphs.append("".join(self._current))
            self._current = []

    def _characters(self, data: str) -> None:
        if self._in_text:
            self._append(data)

    def _append(self, text: str) -> None:
        self._chars += len(text)
        if self._chars > self._max_chars:
            raise DocumentProblem(
                f"the document yields more than {self._max_chars:,} characters",
                DOCUMENT_TOO_LARGE,
            )
        self._current.append(text)

    def _doctype(self, *_: object) -> None:
        raise DocumentProblem("the DOCX declares a DTD, which Word documents never do")


def _decode_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentProblem(
                "the file starts as UTF-16 text but is not valid UTF-16"
            ) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if len(_BINARY_CONTROLS.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise DocumentProblem(
            "the file is not plain text (it contains binary data); upload UTF-8 text"
        )
    return text


def _clean(text: str) -> str:
    """``text`` without NUL characters or lone surrogates, which no store accepts."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _describe(error: BaseException) -> str:
    detail = str(error).strip()
    name = type(error).__name__
    return f"{name}: {detail[:200]}" if detail else name
