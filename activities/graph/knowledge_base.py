"""The ``search_knowledge_base`` activity: embed the query, find the nearest chunks."""

import asyncio

from temporalio import activity

from activities.providers.embeddings import Embedder
from activities.storage.blobs import PASSAGE_LIST, BlobStore
from activities.storage.step_records import StepRecords
from activities.storage.vector_store import KnowledgeBaseCollection, VectorStore
from settings import Settings
from workflows.components import EmbeddingProvider
from workflows.step_io import KnowledgeSearchInput, KnowledgeSearchOutput


class KnowledgeBaseActivities:
    """Retrieval from knowledge bases (Chroma collections)."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        blobs: BlobStore | None = None,
        records: StepRecords | None = None,
    ) -> None:
        self._settings = settings
        self._embedder = embedder or Embedder(settings)
        self._blobs = blobs or BlobStore(settings)
        self._records = records or StepRecords(settings)

    @activity.defn(name="search_knowledge_base")
    async def search_knowledge_base(self, input: KnowledgeSearchInput) -> KnowledgeSearchOutput:
        """Return the ``top_k`` passages most similar to the query, above the threshold; a
        search whose query a provider embedded (a paid call) is recorded, so it is not paid
        for again after a crash (``StepRecords``).

        Raises:
            ApplicationError: As ``_search``.
        """
        if input.embedding_provider == EmbeddingProvider.LOCAL:
            return await self._search(input)
        return await self._records.once(input, KnowledgeSearchOutput, lambda: self._search(input))

    async def _search(self, input: KnowledgeSearchInput) -> KnowledgeSearchOutput:
        """Return the ``top_k`` passages most similar to the query, above the threshold.

        Raises:
            ApplicationError: Non-retryable when the knowledge base does not exist or was
                built with another embedding model; embedding errors as classified by
                ``provider_errors``.
        """
        collection = await asyncio.to_thread(self._get_collection, input.collection)
        collection.info.require_embedding(input.embedding_provider, input.embedding_model)
        [vector] = await self._embedder.embed_texts(
            input.embedding_provider, input.embedding_model, [input.query]
        )
        passages = await asyncio.to_thread(
            collection.query, vector, input.top_k, input.similarity_threshold
        )
        activity.logger.info(
            "found %d passages in knowledge base '%s'", len(passages), input.collection
        )
        return KnowledgeSearchOutput(passages=self._blobs.inline_or_store(passages, PASSAGE_LIST))

    def _get_collection(self, name: str) -> KnowledgeBaseCollection:
        # The Chroma client is created on first use (cached per process), not at worker
        # start, so a Chroma server that is briefly down fails one retryable attempt.
        return VectorStore(self._settings).get_collection(name)
