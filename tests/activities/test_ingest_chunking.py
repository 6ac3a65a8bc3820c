"""Sentence-aware chunking, alone and as the chunk_document activity on the spec PDF."""

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ingest.activities import IngestActivities
from activities.ingest.chunking import Chunk, SentenceChunker, split_sentences
from settings import Settings
from tests.support.documents import SPEC_PAGE_14_PHRASE, SPEC_PAGES, SPEC_PDF
from workflows.ingest_io import ChunkInput, ChunkOutput, ExtractInput


def chunk_pages(pages: list[tuple[int, str]], size: int, overlap: int) -> list[Chunk]:
    chunker = SentenceChunker(size, overlap)
    chunks = [c for page, text in pages for c in chunker.add_page(page, text)]
    return chunks + chunker.finish()


def shared_prefix(previous: str, following: str) -> str:
    """The longest start of ``following`` that ends ``previous`` (their overlap)."""
    for length in range(min(len(previous), len(following)), 0, -1):
        if previous.endswith(following[:length]):
            return following[:length]
    return ""


def test_sentences_split_after_end_punctuation_and_at_blank_lines() -> None:
    text = 'He said "stop!" Then\nleft. Why? Because…  done\n\nNew paragraph e.g. this one'

    assert split_sentences(text) == [
        'He said "stop!"',
        "Then left.",
        "Why?",
        "Because…",
        "done",
        "New paragraph e.g.",
        "this one",
    ]


def test_whole_sentences_are_packed_and_the_next_chunk_repeats_the_last_ones() -> None:
    sentences = [f"Sentence number {n} is here." for n in range(10)]  # 26 or 27 chars

    chunks = chunk_pages([(1, " ".join(sentences))], size=100, overlap=30)

    assert [c.text for c in chunks[:2]] == [
        " ".join(sentences[0:3]),
        " ".join(sentences[2:5]),  # sentence 2 again: the overlap
    ]
    assert all(c.text.endswith(".") for c in chunks)  # never cut inside a sentence
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces() -> None:
    long_sentence = " ".join(f"word{n:03d}" for n in range(100))  # 799 characters

    chunks = chunk_pages([(3, long_sentence + ". Short one.")], size=200, overlap=40)

    assert all(len(c.text) <= 200 for c in chunks)
    assert all(not c.text.startswith(" ") and "word0" in c.text for c in chunks[:-1])
    assert " ".join(c.text for c in chunks).count("word099") >= 1
    for previous, following in itertools.pairwise(chunks):
        assert 0 < len(shared_prefix(previous.text, following.text)) <= 40
    assert {c.page for c in chunks} == {3}


def test_chunks_never_cross_a_page_so_each_cites_the_page_its_text_is_on() -> None:
    pages = [(1, "Alpha one. " * 8), (2, "Beta two. " * 8), (5, "Gamma five.")]

    chunks = chunk_pages(pages, size=100, overlap=30)

    assert chunks == [
        Chunk(index=0, text=" ".join(["Alpha one."] * 8), page=1),
        Chunk(index=1, text=" ".join(["Beta two."] * 8), page=2),
        Chunk(index=2, text="Gamma five.", page=5),
    ]


def test_a_word_longer_than_a_chunk_is_cut_hard() -> None:
    chunks = chunk_pages([(1, "x" * 250)], size=100, overlap=0)

    assert [len(c.text) for c in chunks] == [99, 99, 52]


# Sentences of unique words ("w0", "w1", ...), so an overlap can only be the repeated text.
_SENTENCES = st.lists(
    st.tuples(st.integers(min_value=1, max_value=80), st.sampled_from([".", "!", "?", ",", ""])),
    min_size=1,
    max_size=40,
)


def _text_of(sentences: list[tuple[int, str]]) -> str:
    words = 0
    parts = []
    for count, end in sentences:
        parts.append(" ".join(f"w{words + n}" for n in range(count)) + end)
        words += count
    return "\n".join(parts)


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    sentences=_SENTENCES,
    size=st.integers(min_value=100, max_value=400),
    overlap=st.integers(min_value=0, max_value=300),
)
def test_any_text_gives_bounded_overlapping_chunks_that_keep_every_word_in_order(
    sentences: list[tuple[int, str]], size: int, overlap: int
) -> None:
    text = _text_of(sentences)

    chunks = chunk_pages([(1, text)], size, overlap)

    assert chunks == chunk_pages([(1, text)], size, overlap)  # deterministic
    assert all(0 < len(c.text) <= size for c in chunks)
    effective_overlap = min(overlap, size // 2)
    new_text = [chunks[0].text]
    for previous, following in itertools.pairwise(chunks):
        shared = shared_prefix(previous.text, following.text)
        assert len(shared) <= effective_overlap
        assert bool(shared) == bool(effective_overlap)
        new_text.append(following.text[len(shared) :])
    assert " ".join(new_text).split() == text.split()


async def chunk_spec_pdf(settings: Settings, size: int = 1000, overlap: int = 200) -> ChunkOutput:
    activities = IngestActivities(settings)
    env = ActivityEnvironment()
    extracted = await env.run(
        activities.extract_document,
        ExtractInput(document_id="spec", file_path=str(SPEC_PDF), file_type="pdf", work_dir="spec"),
    )
    return await env.run(
        activities.chunk_document,
        ChunkInput(
            document_id="spec",
            pages_path=extracted.pages_path,
            chunk_size=size,
            chunk_overlap=overlap,
            work_dir="spec",
        ),
    )


def read_chunks(settings: Settings, output: ChunkOutput) -> list[dict[str, object]]:
    lines = (settings.ingest_work_dir / output.chunks_path).read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines()]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", chroma_url=None)


async def test_the_spec_pdf_becomes_overlapping_chunks_citing_their_pages(
    settings: Settings,
) -> None:
    output = await chunk_spec_pdf(settings)

    chunks = read_chunks(settings, output)
    assert output.chunks_path == "spec/chunks.jsonl"
    assert output.chunks_total == len(chunks) > 30
    assert [c["index"] for c in chunks] == list(range(len(chunks)))
    assert all(set(c) == {"index", "text", "page"} for c in chunks)
    sizes = [len(str(c["text"])) for c in chunks]
    assert max(sizes) <= 1000 and sum(sizes) / len(sizes) > 500
    pages = [int(str(c["page"])) for c in chunks]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == SPEC_PAGES
    [cited] = [c for c in chunks if SPEC_PAGE_14_PHRASE in str(c["text"])]
    assert cited["page"] == 14
    pairs = list(itertools.pairwise(chunks))
    same_page = [
        shared_prefix(str(a["text"]), str(b["text"])) for a, b in pairs if a["page"] == b["page"]
    ]
    assert same_page and all(0 < len(o) <= 200 for o in same_page)
    assert all(
        shared_prefix(str(a["text"]), str(b["text"])) == ""
        for a, b in pairs
        if a["page"] != b["page"]
    )


async def test_chunking_the_same_pages_again_writes_the_same_file(settings: Settings) -> None:
    first = await chunk_spec_pdf(settings)
    first_bytes = (settings.ingest_work_dir / first.chunks_path).read_bytes()

    second = await chunk_spec_pdf(settings)

    assert second == first
    assert (settings.ingest_work_dir / second.chunks_path).read_bytes() == first_bytes
    assert sorted(p.name for p in (settings.ingest_work_dir / "spec").iterdir()) == [
        "chunks.jsonl",
        "pages.jsonl",
    ]


async def test_chunking_without_its_pages_file_fails_without_retrying(settings: Settings) -> None:
    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            IngestActivities(settings).chunk_document,
            ChunkInput(
                document_id="spec",
                pages_path="spec/pages.jsonl",
                chunk_size=1000,
                chunk_overlap=100,
                work_dir="spec",
            ),
        )

    assert (caught.value.type, caught.value.non_retryable) == ("IngestFileUnreadable", True)
    assert "do all ingest workers share the data folder?" in caught.value.message
