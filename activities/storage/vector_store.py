"""Knowledge bases as Chroma collections: create, upsert chunks, query by vector.

Each collection uses cosine distance and records in its metadata which embedding
provider, model and dimension built it, so a query with another model fails clearly
instead of returning nonsense. Chunk ids are ``{document_id}:{chunk_index}``, so
re-ingesting a document overwrites its chunks. Chroma's client is synchronous: call
this module from a thread (``asyncio.to_thread``) in async code.
"""

import threading
from collections.abc import Sequence
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from settings import Settings
from workflows.components import EmbeddingProvider
from workflows.step_io import Passage

KNOWLEDGE_BASE_NOT_FOUND = "KnowledgeBaseNotFound"
EMBEDDING_MISMATCH = "EmbeddingModelMismatch"

_clients: dict[str, ClientAPI] = {}
_clients_lock = threading.Lock()


def chroma_client(settings: Settings) -> ClientAPI:
    """The process-wide Chroma client: ``HttpClient`` for ``chroma_url``, else embedded."""
    key = settings.chroma_url or str(settings.chroma_path.resolve())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            if settings.chroma_url:
                url = urlsplit(settings.chroma_url)
                ssl = url.scheme == "https"
                client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if ssl else 8000),
                    ssl=ssl,
                )
            else:
                settings.chroma_path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.chroma_path))
            _clients[key] = client
        return client


def chunk_id(document_id: str, chunk_index: int) -> str:
    """The deterministic id of a chunk, so any retried upsert overwrites, never duplicates."""
    return f"{document_id}:{chunk_index}"


class ChunkMetadata(BaseModel):
    """Where a chunk came from; ``document_id`` lets a document's chunks be deleted."""

    document: str
    page: int | None = None
    document_id: str | None = None


class KnowledgeBaseInfo(BaseModel):
    """A knowledge base's name and the embedding model that built it."""

    name: str
    embedding_provider: EmbeddingProvider
    embedding_model: str
    embedding_dimension: int

    def require_embedding(self, provider: EmbeddingProvider, model: str) -> None:
        """Raise unless vectors from ``provider``/``model`` are comparable with this one's.

        Raises:
            ApplicationError: Non-retryable ``EmbeddingModelMismatch`` naming both models.
        """
        if (provider, model) != (self.embedding_provider, self.embedding_model):
            raise ApplicationError(
                f"knowledge base '{self.name}' was embedded with "
                f"{self.embedding_provider.value}/{self.embedding_model}, but the query uses "
                f"{provider.value}/{model}; configure the same embedding model or re-ingest",
                type=EMBEDDING_MISMATCH,
                non_retryable=True,
            )

    def require_dimension(self, dimension: int) -> None:
        """Raise unless vectors of ``dimension`` fit this knowledge base.

        Raises:
            ApplicationError: Non-retryable ``EmbeddingModelMismatch``.
        """
        if dimension != self.embedding_dimension:
            raise ApplicationError(
                f"knowledge base '{self.name}' holds {self.embedding_dimension}-dimensional "
                f"vectors, got {dimension}",
                type=EMBEDDING_MISMATCH,
                non_retryable=True,
            )


class KnowledgeBaseCollection:
    """One knowledge base's Chroma collection."""

    def __init__(self, collection: Collection, info: KnowledgeBaseInfo, max_batch: int) -> None:
        self._collection = collection
        self._max_batch = max_batch
        self.info = info

    def count(self) -> int:
        """Number of chunks stored."""
        return self._collection.count()

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[ChunkMetadata],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Insert or overwrite chunks (parallel sequences, one entry per chunk).

        Raises:
            ValueError: When the sequences differ in length.
            ApplicationError: Non-retryable, when a vector has the wrong dimension.
        """
        if not len(ids) == len(texts) == len(metadatas) == len(embeddings):
            raise ValueError("ids, texts, metadatas and embeddings must have the same length")
        for vector in embeddings:
            self.info.require_dimension(len(vector))
        for start in range(0, len(ids), self._max_batch):
            end = start + self._max_batch
            vectors: list[Sequence[float]] = [list(v) for v in embeddings[start:end]]
            self._collection.upsert(
                ids=list(ids[start:end]),
                documents=list(texts[start:end]),
                metadatas=[m.model_dump(exclude_none=True) for m in metadatas[start:end]],
                embeddings=vectors,
            )

    def query(
        self, embedding: Sequence[float], top_k: int, min_score: float = 0.0
    ) -> list[Passage]:
        """The ``top_k`` most similar chunks scoring at least ``min_score``, best first.

        The score is cosine similarity: ``1 - cosine distance``.
        """
        self.info.require_dimension(len(embedding))
        query: list[Sequence[float]] = [list(embedding)]
        result = self._collection.query(
            query_embeddings=query,
            n_results=top_k,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        texts = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        passages = []
        for id_, text, metadata, distance in zip(ids, texts, metadatas, distances, strict=True):
            score = min(1.0, 1.0 - float(distance))  # float error can push it past 1
            if score < min_score:
                continue
            page = metadata.get("page") if metadata else None
            passages.append(
                Passage(
                    text=text or "",
                    document=str(metadata.get("document", "")) if metadata else "",
                    page=int(page) if isinstance(page, (int, float)) else None,
                    chunk_id=id_,
                    score=score,
                )
            )
        return passages


class VectorStore:
    """Knowledge bases in the Chroma server or embedded database named by the settings."""

    def __init__(self, settings: Settings) -> None:
        self._client = chroma_client(settings)

    def get_or_create_collection(
        self, name: str, provider: EmbeddingProvider, model: str, dimension: int
    ) -> KnowledgeBaseCollection:
        """The knowledge base ``name``, created for this embedding model if new.

        Raises:
            ApplicationError: Non-retryable, when it exists with another embedding model
                or dimension.
        """
        wanted = KnowledgeBaseInfo(
            name=name,
            embedding_provider=provider,
            embedding_model=model,
            embedding_dimension=dimension,
        )
        collection = self._client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=wanted.model_dump(mode="json", exclude={"name"}),
            embedding_function=None,  # vectors always come from activities/providers/embeddings.py
        )
        knowledge_base = self._wrap(collection)
        knowledge_base.info.require_embedding(provider, model)
        knowledge_base.info.require_dimension(dimension)
        return knowledge_base

    def get_collection(self, name: str) -> KnowledgeBaseCollection:
        """The existing knowledge base ``name``.

        Raises:
            ApplicationError: Non-retryable ``KnowledgeBaseNotFound``.
        """
        try:
            collection = self._client.get_collection(name, embedding_function=None)
        except NotFoundError:
            raise ApplicationError(
                f"knowledge base '{name}' does not exist",
                type=KNOWLEDGE_BASE_NOT_FOUND,
                non_retryable=True,
            ) from None
        return self._wrap(collection)

    def delete_document(self, name: str, document_id: str) -> int:
        """Delete the chunks of ``document_id`` from knowledge base ``name``.

        Returns:
            The number of chunks deleted; 0 when the knowledge base does not exist.
        """
        collection = self._existing(name)
        if collection is None:
            return 0
        ids = collection.get(where={"document_id": document_id}, include=[])["ids"]
        batch = self._client.get_max_batch_size()
        for start in range(0, len(ids), batch):
            collection.delete(ids=ids[start : start + batch])
        return len(ids)

    def delete_collection(self, name: str) -> int:
        """Delete knowledge base ``name`` with all its chunks.

        Returns:
            The number of chunks it held; 0 when it does not exist.
        """
        collection = self._existing(name)
        if collection is None:
            return 0
        count = collection.count()
        try:
            self._client.delete_collection(name)
        except NotFoundError:  # deleted meanwhile by someone else
            return 0
        return count

    def _existing(self, name: str) -> Collection | None:
        try:
            return self._client.get_collection(name, embedding_function=None)
        except NotFoundError:
            return None

    def _wrap(self, collection: Collection) -> KnowledgeBaseCollection:
        metadata = dict(collection.metadata or {})
        try:
            info = KnowledgeBaseInfo.model_validate({"name": collection.name, **metadata})
        except ValueError:
            raise ApplicationError(
                f"knowledge base '{collection.name}' does not record its embedding model",
                type=EMBEDDING_MISMATCH,
                non_retryable=True,
            ) from None
        return KnowledgeBaseCollection(collection, info, self._client.get_max_batch_size())
