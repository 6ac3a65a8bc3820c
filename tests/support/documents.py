"""Documents for ingestion tests: the spec PDF in tests/data, and small or hostile files.

PDFs are built with pypdf; DOCX files are written as the zip of XML parts Word writes.
"""

import functools
import io
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)

# 17 pages of notes on the Shared MIME-info Database, a text PDF written by
# tests/support/spec_document.py (whose docstring lists what the tests rely on).
SPEC_PDF = Path(__file__).resolve().parents[1] / "data" / "shared-mime-info-notes.pdf"
SPEC_PAGES = 17
# Page 14 of the spec, and only that page, explains this.
SPEC_PAGE_14_PHRASE = "user.mime_type extended attribute"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _add_page(writer: PdfWriter, content: StreamObject, resources: DictionaryObject) -> None:
    page = writer.add_blank_page(width=612, height=792)
    page[NameObject("/Resources")] = resources
    page[NameObject("/Contents")] = writer._add_object(content)


def text_pdf(pages: list[str]) -> PdfWriter:
    """A PDF with one page per entry of ``pages``, each line of it a line of Helvetica."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    for text in pages:
        lines = " T* ".join(f"({_escape(line)}) Tj" for line in text.splitlines())
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 14 TL 72 720 Td {lines} ET".encode("latin-1"))
        _add_page(writer, content, resources)
    return writer


def pdf_bytes(writer: PdfWriter) -> bytes:
    """The file ``writer`` describes."""
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def spec_pdf_copies(copies: int) -> bytes:
    """The spec PDF ``copies`` times over: a multi-page document of any length."""
    writer = PdfWriter()
    for _ in range(copies):
        writer.append(str(SPEC_PDF))
    return pdf_bytes(writer)


def encrypted_pdf(password: str = "secret") -> bytes:
    """A text PDF that opens only with ``password``."""
    writer = text_pdf(["Confidential minutes of the board."])
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
    return pdf_bytes(writer)


@functools.cache
def flate_bomb_pdf(inflated_bytes: int = 200_000_000) -> bytes:
    """A one-page PDF whose content stream inflates ~1000-fold, to ``inflated_bytes`` zeros."""
    compressor = zlib.compressobj(9)
    block = bytes(1_000_000)
    parts = [compressor.compress(block) for _ in range(inflated_bytes // len(block))]
    parts.append(compressor.flush())
    content = StreamObject()
    content.set_data(b"".join(parts))
    content[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer = text_pdf(["A harmless first line."])  # text resources, so the stream is read
    writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    return pdf_bytes(writer)


def image_only_pdf() -> bytes:
    """A 'scanned' page: one grey image and no text layer."""
    image = DecodedStreamObject()
    image.set_data(bytes([128]) * 64 * 64)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(64),
            NameObject("/Height"): NumberObject(64),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    writer = PdfWriter()
    resources = DictionaryObject(
        {
            NameObject("/XObject"): DictionaryObject(
                {NameObject("/Im0"): writer._add_object(image)}
            ),
            NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/ImageB")]),
        }
    )
    content = DecodedStreamObject()
    content.set_data(b"q 468 0 0 648 72 72 cm /Im0 Do Q")
    _add_page(writer, content, resources)
    return pdf_bytes(writer)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(body_xml: str) -> bytes:
    """A DOCX whose ``<w:body>`` holds ``body_xml`` (``w:`` prefixed elements)."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{body_xml}</w:body></w:document>'
    )
    return zip_parts(
        {
            "[Content_Types].xml": _DOCX_TYPES,
            "_rels/.rels": _DOCX_RELS,
            "word/document.xml": document,
        }
    )


def docx_paragraphs(paragraphs: list[str]) -> bytes:
    """A DOCX with one plain paragraph per entry."""
    return docx_bytes("".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs))


def zip_parts(parts: dict[str, str]) -> bytes:
    """A zip archive holding ``parts`` (name → text)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()
