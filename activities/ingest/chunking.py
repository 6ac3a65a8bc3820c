"""Sentence-aware chunking: pack whole sentences into chunks, overlapping neighbours.

Text is split into sentences (after ``.``, ``!``, ``?`` or ``…`` followed by space, and
at blank lines), whitespace is collapsed, and sentences are packed into chunks of at
most ``chunk_size`` characters. Each chunk after the first begins with the trailing
whole sentences of the previous one that fit in ``chunk_overlap`` characters (or, when
its last sentence alone is longer, that sentence's last words), so a passage cut at a
chunk border is still found whole. A sentence too long for a chunk is cut, at a space
where possible. Chunks never cross a page boundary, so each cites exactly one page; the
overlap applies between chunks of the same page.
The result depends only on the input, so a retried activity writes the same chunks.
"""

import re
from dataclasses import dataclass

from pydantic import BaseModel

_SENTENCE_END = re.compile(r"""[.!?…]+['"’”)\]]*(?=\s)|\n[ \t]*\n""")


class Page(BaseModel):
    """One line of the pages file."""

    page: int
    text: str


class Chunk(BaseModel):
    """One line of the chunks file."""

    index: int
    text: str
    page: int


@dataclass(frozen=True)
class _Piece:
    text: str
    page: int


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace collapsed, empty ones dropped."""
    sentences = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(" ".join(text[start : match.end()].split()))
        start = match.end()
    sentences.append(" ".join(text[start:].split()))
    return [s for s in sentences if s]


class SentenceChunker:
    """Turns pages into chunks; feed pages in order, then call ``finish``.

    Args:
        chunk_size: Most characters per chunk.
        chunk_overlap: Characters a chunk repeats from the previous one (at most half of
            ``chunk_size``).
    """

    def __init__(self, chunk_size: int, chunk_overlap: int) -> None:
        if chunk_size < 2:
            raise ValueError("chunk_size must be at least 2")
        self._size = chunk_size
        self._overlap = max(0, min(chunk_overlap, chunk_size // 2))
        # A piece must fit after a full overlap and its separating space.
        self._max_piece = max(1, chunk_size - self._overlap - 1)
        self._pieces: list[_Piece] = []
        self._length = 0
        self._has_new_text = False
        self._next_index = 0

    @property
    def chunks_made(self) -> int:
        """How many chunks have been returned so far."""
        return self._next_index

    def add_page(self, page: int, text: str) -> list[Chunk]:
        """Chunks completed by the text of ``page``.

        A chunk never crosses a page boundary (and overlap never carries over one), so
        the page a citation names is the page its text is on.
        """
        done: list[Chunk] = []
        if self._pieces and self._pieces[-1].page != page:
            if self._has_new_text:
                done.append(self._emit())
            self._pieces, self._length = [], 0
        for sentence in split_sentences(text):
            for piece in self._cut(sentence):
                if self._has_new_text and self._length + 1 + len(piece) > self._size:
                    done.append(self._emit())
                self._pieces.append(_Piece(piece, page))
                self._length += len(piece) + (1 if len(self._pieces) > 1 else 0)
                self._has_new_text = True
        return done

    def finish(self) -> list[Chunk]:
        """The last chunk, if text is left over."""
        return [self._emit()] if self._has_new_text else []

    def _cut(self, sentence: str) -> list[str]:
        pieces = []
        while len(sentence) > self._max_piece:
            cut = sentence.rfind(" ", 0, self._max_piece + 1)
            if cut < self._max_piece // 2:
                cut = self._max_piece
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        pieces.append(sentence)
        return [p for p in pieces if p]

    def _emit(self) -> Chunk:
        chunk = Chunk(
            index=self._next_index,
            text=" ".join(p.text for p in self._pieces),
            page=self._pieces[0].page,
        )
        self._next_index += 1
        self._pieces = self._overlap_tail()
        self._length = len(" ".join(p.text for p in self._pieces))
        self._has_new_text = False
        return chunk

    def _overlap_tail(self) -> list[_Piece]:
        if self._overlap == 0:
            return []
        tail: list[_Piece] = []
        length = -1
        for piece in reversed(self._pieces):
            if length + 1 + len(piece.text) > self._overlap:
                break
            tail.insert(0, piece)
            length += 1 + len(piece.text)
        if tail:
            return tail
        # The last sentence alone is longer than the overlap: repeat its last words.
        last = self._pieces[-1]
        words = last.text[-self._overlap :]
        space = words.find(" ")
        if 0 <= space < len(words) - 1:
            words = words[space + 1 :]
        return [_Piece(words, last.page)]
