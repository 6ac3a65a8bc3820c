"""``IngestDocument``: extract → chunk → embed in batches → upsert, durably.

Runs on its own task queue (``ingest``) so long ingestions never starve interactive
runs. Text stays in files under the worker's data folder; history carries only paths
and counts. Embedding calls heartbeat the next chunk index, so a retry after a worker
crash resumes where the last one stopped, and cancellation reaches them through their
heartbeats. Upserts use ids ``{document_id}:{index}``, so repeating one is harmless.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from workflows.ingest_io import (
        ChunkInput,
        ChunkOutput,
        DeleteVectorsInput,
        EmbedChunksInput,
        EmbedChunksOutput,
        ExtractInput,
        ExtractOutput,
        IngestDocumentInput,
        IngestProgress,
        ResumePoint,
    )

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
)
# Long enough for the first call in a worker to load the local embedding model (≈ 6 s
# here), short enough that a crashed worker's activity is retried soon.
_HEARTBEAT = timedelta(seconds=30)
_STEP_TIMEOUT = timedelta(minutes=30)


@workflow.defn(name="IngestDocument")
class IngestDocument:
    """Ingests one uploaded document into its knowledge base's collection."""

    def __init__(self) -> None:
        self._progress = IngestProgress()
        self._continuing = False  # a continued-as-new run still needs the files

    @workflow.query(name="progress")
    def progress(self) -> IngestProgress:
        """Stage and counts so far."""
        return self._progress

    @workflow.run
    async def run(self, job: IngestDocumentInput) -> IngestProgress:
        try:
            return await self._ingest(job)
        finally:
            # Added after the first release: runs recorded before it end without this
            # step, and workflow.patched keeps them replaying.
            if workflow.patched("remove-work-files") and not self._continuing:
                await workflow.execute_activity(
                    "remove_work_files",
                    job.document_id,
                    start_to_close_timeout=timedelta(minutes=5),
                    retry_policy=_RETRY,
                )

    async def _ingest(self, job: IngestDocumentInput) -> IngestProgress:
        try:
            resume = job.resume or await self._extract_and_chunk(job)
            self._progress.pages_extracted = resume.pages_extracted
            self._progress.chunks_total = resume.chunks_total
            self._progress.chunks_embedded = resume.next_chunk
            await self._embed(job, resume)
        except asyncio.CancelledError:
            await self._cancelled(job)
            raise
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                # An activity waited out its cancellation (WAIT_CANCELLATION_COMPLETED):
                # the run was cancelled, not failed.
                await self._cancelled(job)
                raise asyncio.CancelledError() from err
            reason = err.cause.message if isinstance(err.cause, ApplicationError) else str(err)
            self._progress.stage = "failed"
            self._progress.error = reason
            await self._remove_vectors(job)
            raise ApplicationError(reason, type="IngestionFailed", non_retryable=True) from err
        self._progress.stage = "completed"
        return self._progress

    async def _extract_and_chunk(self, job: IngestDocumentInput) -> ResumePoint:
        self._progress.stage = "extracting"
        extracted = await workflow.execute_activity(
            "extract_document",
            ExtractInput(
                document_id=job.document_id,
                file_path=job.file_path,
                file_type=job.file_type,
                work_dir=job.document_id,
            ),
            result_type=ExtractOutput,
            start_to_close_timeout=_STEP_TIMEOUT,
            heartbeat_timeout=_HEARTBEAT,
            retry_policy=_RETRY,
        )
        self._progress.pages_extracted = extracted.pages_extracted
        self._progress.stage = "chunking"
        chunked = await workflow.execute_activity(
            "chunk_document",
            ChunkInput(
                document_id=job.document_id,
                pages_path=extracted.pages_path,
                chunk_size=job.knowledge_base.chunk_size,
                chunk_overlap=job.knowledge_base.chunk_overlap,
                work_dir=job.document_id,
            ),
            result_type=ChunkOutput,
            start_to_close_timeout=_STEP_TIMEOUT,
            retry_policy=_RETRY,
        )
        return ResumePoint(
            pages_extracted=extracted.pages_extracted,
            chunks_path=chunked.chunks_path,
            chunks_total=chunked.chunks_total,
            next_chunk=0,
        )

    async def _embed(self, job: IngestDocumentInput, resume: ResumePoint) -> None:
        self._progress.stage = "embedding"
        start = resume.next_chunk
        while start < resume.chunks_total:
            if workflow.info().get_current_history_length() > job.continue_after_events:
                point = resume.model_copy(update={"next_chunk": start})
                self._continuing = True
                workflow.continue_as_new(job.model_copy(update={"resume": point}))
            stop = min(start + job.chunks_per_call, resume.chunks_total)
            embedded = await workflow.execute_activity(
                "embed_chunks",
                EmbedChunksInput(
                    document_id=job.document_id,
                    document_name=job.filename,
                    chunks_path=resume.chunks_path,
                    start=start,
                    stop=stop,
                    batch_size=job.batch_size,
                    knowledge_base=job.knowledge_base,
                ),
                result_type=EmbedChunksOutput,
                start_to_close_timeout=_STEP_TIMEOUT,
                heartbeat_timeout=_HEARTBEAT,
                retry_policy=_RETRY,
                # A cancelled embedding finishes its batch before the cleanup deletes
                # vectors, so no upsert can land after the delete.
                cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
            self._progress.chunks_embedded = start + embedded.chunks_embedded
            start = stop

    async def _cancelled(self, job: IngestDocumentInput) -> None:
        self._progress.stage = "cancelled"
        await self._remove_vectors(job)  # partial vectors go; then the run ends cancelled

    async def _remove_vectors(self, job: IngestDocumentInput) -> None:
        await workflow.execute_activity(
            "delete_vectors",
            DeleteVectorsInput(
                collection=job.knowledge_base.collection, document_id=job.document_id
            ),
            result_type=int,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=_RETRY,
        )


@workflow.defn(name="DeleteKnowledgeVectors")
class DeleteKnowledgeVectors:
    """Removes a document's vectors, or a whole knowledge base's collection, durably."""

    @workflow.run
    async def run(self, job: DeleteVectorsInput) -> int:
        return await workflow.execute_activity(
            "delete_vectors",
            job,
            result_type=int,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=_RETRY,
        )
