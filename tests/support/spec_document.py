"""The text PDF the ingestion tests read: 17 pages of notes on the Shared MIME-info Database.

The notes (``tests/data/shared-mime-info-notes.txt``: pages separated by form feeds,
paragraphs by blank lines) were written for this repository in their own words; the
freedesktop.org specification is the authority on the format. What the tests rely on:
17 pages; each starts with the running header ``Shared MIME-info Database``; page 1
yields exactly 1,401 characters; more than 30,000 in all; and page 14, and only page 14,
explains the ``user.mime_type`` extended attribute.

``tests/data/shared-mime-info-notes.pdf`` is this module's output; after changing the
notes, write it again with ``.venv/bin/python -m tests.support.spec_document``.
"""

import textwrap

from tests.support.documents import SPEC_PDF, pdf_bytes, text_pdf

NOTES = SPEC_PDF.with_suffix(".txt")
HEADER = "Shared MIME-info Database"
LINE_WIDTH = 88


def page_texts() -> list[str]:
    """The text of each page: the running header, then the page's wrapped paragraphs."""
    pages = []
    for page in NOTES.read_text(encoding="ascii").split("\f"):
        lines = [HEADER]
        for paragraph in page.strip().split("\n\n"):
            lines += textwrap.wrap(paragraph, LINE_WIDTH)
        pages.append("\n".join(lines))
    return pages


def spec_pdf_bytes() -> bytes:
    """The PDF of ``page_texts``: one page each, every line a line of Helvetica."""
    return pdf_bytes(text_pdf(page_texts()))


if __name__ == "__main__":
    SPEC_PDF.write_bytes(spec_pdf_bytes())
    print(f"{SPEC_PDF}: {SPEC_PDF.stat().st_size:,} bytes")
