"""The activities the graph-run and ingest workers register, built once from settings."""

from collections.abc import Callable
from typing import Any

from activities.graph.answer import AnswerActivities
from activities.graph.knowledge_base import KnowledgeBaseActivities
from activities.graph.web_search import WebSearchActivities
from activities.ingest.activities import IngestActivities
from activities.providers.clients import ProviderClients
from activities.providers.embeddings import Embedder
from activities.storage.blobs import BlobStore
from settings import Settings


def build_graph_activities(settings: Settings) -> list[Callable[..., Any]]:
    """The ``search_knowledge_base``, ``search_web`` and ``generate_answer`` activities.

    They share one set of provider clients (connection pools) and one blob store.

    Args:
        settings: The worker's settings; provider keys are read from here only.

    Returns:
        Activity callables for ``temporalio.worker.Worker(activities=...)``.
    """
    clients = ProviderClients(settings)
    blobs = BlobStore(settings)
    knowledge_base = KnowledgeBaseActivities(
        settings, embedder=Embedder(settings, clients), blobs=blobs
    )
    web_search = WebSearchActivities(settings, blobs=blobs)
    answer = AnswerActivities(settings, clients=clients, blobs=blobs)
    return [
        knowledge_base.search_knowledge_base,
        web_search.search_web,
        answer.generate_answer,
    ]


def build_ingest_activities(settings: Settings) -> list[Callable[..., Any]]:
    """The ingest worker's activities: extract, chunk, embed and delete vectors.

    Args:
        settings: The worker's settings; provider keys are read from here only.

    Returns:
        Activity callables for ``temporalio.worker.Worker(activities=...)``.
    """
    ingest = IngestActivities(settings, embedder=Embedder(settings, ProviderClients(settings)))
    return [
        ingest.extract_document,
        ingest.chunk_document,
        ingest.embed_chunks,
        ingest.delete_vectors,
        ingest.remove_work_files,
    ]
