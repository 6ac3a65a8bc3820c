"""The worker for document ingestion, on its own task queue (``ingest``)."""

from temporalio.client import Client
from temporalio.worker import Worker

from activities.registry import build_ingest_activities
from settings import Settings
from telemetry.step_metrics import step_interceptors
from workflows.ingest import DeleteKnowledgeVectors, IngestDocument
from workflows.sandbox import workflow_runner

# Embedding is CPU-bound on this machine's cores: a few at a time, not dozens.
INGEST_ACTIVITY_SLOTS = 2


def build_ingest_worker(client: Client, settings: Settings) -> Worker:
    """A worker hosting ``IngestDocument``, ``DeleteKnowledgeVectors`` and their activities."""
    return Worker(
        client,
        task_queue=settings.ingest_task_queue,
        workflows=[IngestDocument, DeleteKnowledgeVectors],
        activities=build_ingest_activities(settings),
        workflow_runner=workflow_runner(),
        max_concurrent_activities=INGEST_ACTIVITY_SLOTS,
        interceptors=step_interceptors(settings),
    )
