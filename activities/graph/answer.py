"""The ``generate_answer`` activity: one LLM call with the retrieved context and web results."""

import asyncio

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.graph.llm_gemini import complete_with_gemini
from activities.graph.llm_openai import complete_with_openai
from activities.graph.prompt import Completion, Prompt, build_prompt
from activities.providers.clients import ProviderClients
from activities.providers.connection_keys import ConnectionKeyError
from activities.providers.connections import ConnectionStore, ResolvedConnection
from activities.providers.errors import AUTH_ERROR, REQUEST_ERROR
from activities.providers.url_guard import UrlRefused, check_url
from activities.storage.answer_stream import AnswerStreams, StreamWriter
from activities.storage.blobs import PASSAGE_LIST, WEB_RESULT_LIST, BlobStore
from activities.storage.step_records import StepRecords
from settings import Settings
from workflows.components import LlmProvider
from workflows.step_io import AnswerInput, AnswerOutput, Citation

SNIPPET_CHARS = 200


class AnswerActivities:
    """Answer generation with OpenAI, Gemini or an OpenAI-compatible server."""

    def __init__(
        self,
        settings: Settings,
        *,
        clients: ProviderClients | None = None,
        blobs: BlobStore | None = None,
        connections: ConnectionStore | None = None,
        records: StepRecords | None = None,
        streams: AnswerStreams | None = None,
    ) -> None:
        self._clients = clients or ProviderClients(settings)
        self._blobs = blobs or BlobStore(settings)
        self._connections = connections or ConnectionStore(settings)
        self._records = records or StepRecords(settings)
        self._streams = streams or AnswerStreams(settings)

    @activity.defn(name="generate_answer")
    async def generate_answer(self, input: AnswerInput) -> AnswerOutput:
        """Ask the configured model; an answer this activity completed before a crash is
        not paid for again (``StepRecords``).

        Raises:
            ApplicationError: As ``_answer``.
        """
        return await self._records.once(
            input, AnswerOutput, lambda: self._answer(input), labels={"node_id"}
        )

    async def _answer(self, input: AnswerInput) -> AnswerOutput:
        """Ask the configured model; passages and web results may arrive as ``BlobRef``s.

        Raises:
            ApplicationError: Non-retryable for a missing or rejected key or a bad request;
                retryable for rate limits, outages and timeouts.
        """
        passages = self._blobs.load(input.passages, PASSAGE_LIST)
        web_results = self._blobs.load(input.web_results, WEB_RESULT_LIST)
        prompt = build_prompt(
            query=input.query,
            custom_prompt=input.custom_prompt,
            history=input.history,
            passages=passages,
            web_results=web_results,
        )
        completion = await self._streamed(input, prompt)
        activity.logger.info(
            "%s/%s answered using %d tokens",
            input.connection or input.provider.value,
            input.model,
            completion.usage.total_tokens,
        )
        return AnswerOutput(
            text=completion.text,
            model=completion.model,
            usage=completion.usage,
            context_used=bool(passages or web_results),
            citations=[
                Citation(
                    document=p.document,
                    page=p.page,
                    chunk_id=p.chunk_id,
                    score=p.score,
                    snippet=p.text[:SNIPPET_CHARS],
                )
                for p in passages
            ],
            web_sources=web_results,
        )

    async def _streamed(self, input: AnswerInput, prompt: Prompt) -> Completion:
        """``_complete``, its tokens written to the node's answer stream as they arrive
        (inputs recorded before streaming name no node: nothing is streamed)."""
        run_id = activity.info().workflow_id
        if input.node_id is None or run_id is None:
            return await self._complete(input, prompt, None)
        stream = await self._streams.open(run_id, input.node_id)
        try:
            completion = await self._complete(input, prompt, stream)
        except BaseException:
            stream.end_soon("failed")
            raise
        await stream.close("completed")
        return completion

    async def _complete(
        self, input: AnswerInput, prompt: Prompt, stream: StreamWriter | None
    ) -> Completion:
        connection = await self._connection(input)
        if not connection.allows_model(input.model):
            raise ApplicationError(
                f"model '{input.model}' is not allowed on connection '{connection.name}'"
                f" (allowed: {', '.join(connection.models)})",
                type=REQUEST_ERROR,
                non_retryable=True,
            )
        if connection.policy is not None and connection.base_url:
            await self._check_address(connection)
        if connection.provider == LlmProvider.GEMINI:
            return await complete_with_gemini(
                self._clients.gemini_for(connection),
                prompt,
                model=input.model,
                temperature=input.temperature,
                max_tokens=input.max_tokens,
                on_delta=stream.append if stream else None,
            )
        return await complete_with_openai(
            self._clients.openai_for(connection),
            prompt,
            provider=connection.provider.value,
            model=input.model,
            temperature=input.temperature,
            max_tokens=input.max_tokens,
            on_delta=stream.append if stream else None,
        )

    async def _connection(self, input: AnswerInput) -> ResolvedConnection:
        """The step's connection; steps recorded before connections name their provider."""
        name = input.connection
        if name is None:
            if input.provider == LlmProvider.OPENAI_COMPATIBLE:
                raise ApplicationError(
                    "this step names a server URL instead of a provider connection;"
                    " choose a connection in the LLM Engine node and run again",
                    type=REQUEST_ERROR,
                    non_retryable=True,
                )
            name = input.provider.value
        try:
            found = await self._connections.get(name)
        except ConnectionKeyError as error:
            raise ApplicationError(str(error), type=AUTH_ERROR, non_retryable=True) from None
        if found is None:
            raise ApplicationError(
                f"provider connection '{name}' does not exist",
                type=REQUEST_ERROR,
                non_retryable=True,
            )
        return found

    @staticmethod
    async def _check_address(connection: ResolvedConnection) -> None:
        """Refuses, before any request, a connection whose host now resolves somewhere
        forbidden (the guarded HTTP pool enforces the same on every connection)."""
        assert connection.policy is not None and connection.base_url
        try:
            await asyncio.to_thread(check_url, connection.base_url, connection.policy)
        except UrlRefused as refused:
            raise ApplicationError(
                f"connection '{connection.name}' is refused: {refused}",
                type=REQUEST_ERROR,
                non_retryable=True,
            ) from None
