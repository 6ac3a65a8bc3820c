"""The ingestion activities: extract → chunk → embed and upsert → (on failure) delete.

Text moves between them in JSON Lines files under the ingest work folder
(``activities.ingest.work_files``); payloads carry only relative paths and counts.

Metrics: ``ingest_pages`` counts the pages of each completed extraction, and
``ingest_chunks`` each chunk as its batch is upserted. A retried ``embed_chunks`` resumes
after the last heartbeat the server kept, so batches that landed after it (heartbeats are
throttled) are upserted, and counted, again: the counter measures work done, not distinct
chunks stored; without interruptions the two are the same.
"""

import asyncio
import shutil
from collections.abc import Awaitable
from pathlib import Path
from typing import IO, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.ingest.chunking import Chunk, Page, SentenceChunker
from activities.ingest.document_text import DOCUMENT_UNREADABLE, DocumentProblem, ExtractionLimits
from activities.ingest.extraction_process import extract_to_file
from activities.ingest.work_files import INGEST_FILE_UNREADABLE, IngestFiles, atomic_output
from activities.providers.embeddings import Embedder
from activities.storage.vector_store import (
    ChunkMetadata,
    KnowledgeBaseCollection,
    VectorStore,
    chunk_id,
)
from settings import Settings
from telemetry.metrics import INGEST_CHUNKS, INGEST_PAGES
from workflows.ingest_io import (
    ChunkInput,
    ChunkOutput,
    DeleteVectorsInput,
    EmbedChunksInput,
    EmbedChunksOutput,
    ExtractInput,
    ExtractOutput,
)

PAGES_FILE = "pages.jsonl"
CHUNKS_FILE = "chunks.jsonl"

T = TypeVar("T")


class IngestActivities:
    """Document ingestion into knowledge bases (Chroma collections).

    Args:
        settings: The worker's settings (data folder, Chroma, provider keys, upload limit).
        embedder: Embeds chunks; built from ``settings`` when omitted.
        limits: Extraction limits; the defaults, with the upload limit, when omitted.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        limits: ExtractionLimits | None = None,
    ) -> None:
        self._settings = settings
        self._embedder = embedder or Embedder(settings)
        self._limits = limits or ExtractionLimits(max_file_bytes=settings.max_upload_bytes)
        self._files = IngestFiles(settings)

    @activity.defn(name="extract_document")
    async def extract_document(self, input: ExtractInput) -> ExtractOutput:
        """Extract the upload's text page by page into ``{work_dir}/pages.jsonl``.

        Heartbeats each page number. Extraction runs in a child process that is killed
        on cancellation, when a page takes too long, or when it needs too much memory.

        Raises:
            ApplicationError: Non-retryable ``DocumentUnreadable`` or ``DocumentTooLarge``
                with a message for the user (encrypted, damaged, scanned, empty, a
                decompression bomb, ...); ``IngestFileUnreadable`` when the upload is gone.
        """
        source = Path(input.file_path)
        if not source.is_file():
            raise ApplicationError(
                f"the uploaded file {source} is missing; do all ingest workers share the "
                "data folder?",
                type=INGEST_FILE_UNREADABLE,
                non_retryable=True,
            )
        pages_path = self._files.folder(input.work_dir) / PAGES_FILE
        try:
            with atomic_output(pages_path) as tmp:
                extracted = await extract_to_file(
                    source, input.file_type, tmp, self._limits, on_page=activity.heartbeat
                )
        except DocumentProblem as problem:
            activity.logger.info("document %s is unreadable: %s", input.document_id, problem)
            raise ApplicationError(str(problem), type=problem.code, non_retryable=True) from None
        activity.logger.info(
            "extracted %d pages (%d characters) of document %s",
            extracted.pages,
            extracted.characters,
            input.document_id,
        )
        if self._settings.metrics_enabled:
            INGEST_PAGES.inc(extracted.pages)
        return ExtractOutput(
            pages_path=self._files.relative(pages_path),
            pages_extracted=extracted.pages,
            characters=extracted.characters,
        )

    @activity.defn(name="chunk_document")
    async def chunk_document(self, input: ChunkInput) -> ChunkOutput:
        """Split the pages file into overlapping, sentence-aligned chunks.

        Writes ``{work_dir}/chunks.jsonl`` (``{"index", "text", "page"}`` per line) and
        heartbeats each page number.

        Raises:
            ApplicationError: Non-retryable ``IngestFileUnreadable`` when the pages file is
                missing or damaged, ``DocumentUnreadable`` when it holds no text.
        """
        pages_path = self._files.require(input.pages_path)
        chunks_path = self._files.folder(input.work_dir) / CHUNKS_FILE
        chunker = SentenceChunker(input.chunk_size, input.chunk_overlap)
        with (
            atomic_output(chunks_path) as tmp,
            pages_path.open(encoding="utf-8") as pages,
            tmp.open("w", encoding="utf-8") as out,
        ):
            while (
                page := await asyncio.to_thread(_chunk_next_page, pages, chunker, out)
            ) is not None:
                activity.heartbeat(page)
            _write(out, chunker.finish())
            if chunker.chunks_made == 0:
                raise ApplicationError(
                    "the document contains no text to chunk",
                    type=DOCUMENT_UNREADABLE,
                    non_retryable=True,
                )
        return ChunkOutput(
            chunks_path=self._files.relative(chunks_path), chunks_total=chunker.chunks_made
        )

    @activity.defn(name="embed_chunks")
    async def embed_chunks(self, input: EmbedChunksInput) -> EmbedChunksOutput:
        """Embed chunks ``[start, stop)`` and upsert them into the knowledge base.

        Heartbeats the next chunk index after each batch; a retried attempt resumes from
        the last heartbeat. Cancellation (delivered through heartbeats) lets the batch
        being written land, then stops.

        Returns:
            The number of chunks of ``[start, stop)`` now stored (resumed ones included).

        Raises:
            ApplicationError: Non-retryable when the chunks file is missing or short or the
                knowledge base holds another embedding model; embedding errors as
                classified by ``provider_errors``.
        """
        first = self._resume_point(input)
        if first > input.start:
            activity.logger.info("resuming document %s at chunk %d", input.document_id, first)
        chunks_path = self._files.require(input.chunks_path)
        chunks = await asyncio.to_thread(_read_chunks, chunks_path, first, input.stop)
        kb = input.knowledge_base
        collection: KnowledgeBaseCollection | None = None
        for offset in range(0, len(chunks), input.batch_size):
            batch = chunks[offset : offset + input.batch_size]
            texts = [c.text for c in batch]
            vectors = await self._embedder.embed_texts(
                kb.embedding_provider, kb.embedding_model, texts
            )
            if collection is None:
                collection = await asyncio.to_thread(
                    VectorStore(self._settings).get_or_create_collection,
                    kb.collection,
                    kb.embedding_provider,
                    kb.embedding_model,
                    len(vectors[0]),
                )
            metadata = ChunkMetadata(document=input.document_name, document_id=input.document_id)
            await _uninterrupted(
                asyncio.to_thread(
                    collection.upsert,
                    [chunk_id(input.document_id, c.index) for c in batch],
                    texts,
                    [metadata.model_copy(update={"page": c.page}) for c in batch],
                    vectors,
                )
            )
            if self._settings.metrics_enabled:
                INGEST_CHUNKS.inc(len(batch))
            activity.heartbeat(batch[-1].index + 1)
            await asyncio.sleep(0)  # a cancellation already requested lands before the next batch
        return EmbedChunksOutput(chunks_embedded=input.stop - input.start)

    @activity.defn(name="delete_vectors")
    async def delete_vectors(self, input: DeleteVectorsInput) -> int:
        """Delete a document's chunks, or the whole collection when ``document_id`` is None.

        Returns:
            The number of chunks deleted (0 when the collection does not exist).
        """
        store = VectorStore(self._settings)
        if input.document_id is None:
            deleted = await asyncio.to_thread(store.delete_collection, input.collection)
        else:
            deleted = await asyncio.to_thread(
                store.delete_document, input.collection, input.document_id
            )
        activity.logger.info("deleted %d chunks from '%s'", deleted, input.collection)
        return deleted

    @activity.defn(name="remove_work_files")
    async def remove_work_files(self, work_dir: str) -> None:
        """Delete a finished ingestion's pages and chunks files (the upload itself stays)."""
        folder = self._files.resolve(work_dir)
        await asyncio.to_thread(shutil.rmtree, folder, True)

    @staticmethod
    def _resume_point(input: EmbedChunksInput) -> int:
        details = activity.info().heartbeat_details
        if details:
            last = details[0]
            if isinstance(last, int) and not isinstance(last, bool):
                return min(max(last, input.start), input.stop)
        return input.start


def _chunk_next_page(pages: IO[str], chunker: SentenceChunker, out: IO[str]) -> int | None:
    """Chunk the next line of ``pages`` into ``out``; its page number, or None at the end."""
    line = pages.readline()
    if not line:
        return None
    try:
        page = Page.model_validate_json(line)
    except ValueError:
        raise ApplicationError(
            "the pages file is damaged", type=INGEST_FILE_UNREADABLE, non_retryable=True
        ) from None
    _write(out, chunker.add_page(page.page, page.text))
    return page.page


def _write(out: IO[str], chunks: list[Chunk]) -> None:
    out.writelines(chunk.model_dump_json() + "\n" for chunk in chunks)


def _read_chunks(path: Path, start: int, stop: int) -> list[Chunk]:
    """Chunks ``[start, stop)`` of the chunks file (earlier lines are skipped, not parsed)."""
    chunks = []
    with path.open(encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if index >= stop:
                break
            if index >= start:
                try:
                    chunks.append(Chunk.model_validate_json(line))
                except ValueError:
                    raise ApplicationError(
                        f"line {index + 1} of the chunks file is damaged",
                        type=INGEST_FILE_UNREADABLE,
                        non_retryable=True,
                    ) from None
    if start + len(chunks) < stop:
        raise ApplicationError(
            f"the chunks file holds {start + len(chunks)} chunks, not the {stop} expected",
            type=INGEST_FILE_UNREADABLE,
            non_retryable=True,
        )
    return chunks


async def _uninterrupted(step: Awaitable[T]) -> T:
    """Await ``step``; if cancelled meanwhile, let it finish first, then re-raise.

    The workflow deletes a cancelled document's vectors once this activity reports the
    cancellation, so no upsert may still be running by then.
    """
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise
