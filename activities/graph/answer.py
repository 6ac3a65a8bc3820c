"""The ``generate_answer`` activity: one LLM call with the retrieved context and web results."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

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
from activities.storage.usage_records import AttemptUsage, UsageRecords, estimated_tokens
from settings import Settings
from telemetry.metrics import LLM_COST, LLM_TOKENS
from telemetry.prices import PriceTableError, price_table
from telemetry.provider_metrics import model_label, provider_call
from workflows.components import LlmProvider
from workflows.step_io import AnswerInput, AnswerOutput, Citation

SNIPPET_CHARS = 200
# The provider metrics' operation label of an answer.
OPERATION = "chat"
log = logging.getLogger(__name__)


@dataclass
class _DeltaTally:
    """Counts the text deltas of an answer on their way to its stream (for the usage of an
    attempt that fails after streaming)."""

    forward: Callable[[str], None] | None
    deltas: int = 0

    def received(self, delta: str) -> None:
        self.deltas += 1
        if self.forward is not None:
            self.forward(delta)


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
        usage: UsageRecords | None = None,
    ) -> None:
        self._settings = settings
        self._clients = clients or ProviderClients(settings)
        self._blobs = blobs or BlobStore(settings)
        self._connections = connections or ConnectionStore(settings)
        self._records = records or StepRecords(settings)
        self._streams = streams or AnswerStreams(settings)
        self._usage = usage or UsageRecords(settings)

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
        return await self._metered(connection, input, prompt, stream)

    async def _metered(
        self,
        connection: ResolvedConnection,
        input: AnswerInput,
        prompt: Prompt,
        stream: StreamWriter | None,
    ) -> Completion:
        """``_call``, its usage recorded (``UsageRecords``: a row before the call, which an
        interrupted attempt leaves, replaced when it ends) and its provider metrics."""
        provider = connection.provider.value
        usage = _attempt_usage(input, provider, prompt, stream)
        begun = asyncio.create_task(self._usage.begin(usage)) if usage else None
        tally = _DeltaTally(stream.append if stream else None)
        label = model_label(self._settings, provider, input.model)
        try:
            with provider_call(provider, label, OPERATION, enabled=self._settings.metrics_enabled):
                completion = await self._call(connection, input, prompt, tally.received)
        except BaseException:
            # Paid if it streamed: the prompt's estimate and the deltas it streamed.
            prompt_tokens = estimated_tokens(_prompt_chars(prompt)) if tally.deltas else 0
            self._observe_tokens(provider, input.model, prompt_tokens, tally.deltas)
            if begun is not None and usage is not None:
                await begun
                await self._usage.end(
                    usage,
                    outcome="failed",
                    model=input.model,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=tally.deltas,
                    estimated=True,
                )
            raise
        billed = completion.usage
        estimated = billed.total_tokens == 0  # a server that reports no usage: estimate
        prompt_tokens, completion_tokens = billed.prompt_tokens, billed.completion_tokens
        if estimated:
            prompt_tokens, completion_tokens = estimated_tokens(_prompt_chars(prompt)), tally.deltas
        self._observe_tokens(provider, completion.model, prompt_tokens, completion_tokens)
        if begun is not None and usage is not None:
            await begun
            await self._usage.end(
                usage,
                outcome="completed",
                model=completion.model or input.model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                estimated=estimated,
            )
        return completion

    async def _call(
        self,
        connection: ResolvedConnection,
        input: AnswerInput,
        prompt: Prompt,
        on_delta: Callable[[str], None],
    ) -> Completion:
        if connection.provider == LlmProvider.GEMINI:
            return await complete_with_gemini(
                self._clients.gemini_for(connection),
                prompt,
                model=input.model,
                temperature=input.temperature,
                max_tokens=input.max_tokens,
                on_delta=on_delta,
            )
        return await complete_with_openai(
            self._clients.openai_for(connection),
            prompt,
            provider=connection.provider.value,
            model=input.model,
            temperature=input.temperature,
            max_tokens=input.max_tokens,
            on_delta=on_delta,
        )

    def _observe_tokens(
        self, provider: str, model: str, prompt_tokens: int, completion_tokens: int
    ) -> None:
        if not self._settings.metrics_enabled or not (prompt_tokens or completion_tokens):
            return
        label = model_label(self._settings, provider, model)
        LLM_TOKENS.labels(provider, label, "prompt").inc(prompt_tokens)
        LLM_TOKENS.labels(provider, label, "completion").inc(completion_tokens)
        try:
            prices = price_table(self._settings.prices_file)
        except PriceTableError as error:
            log.warning("no estimated cost: %s", error)
            return
        cost = prices.cost(provider, model, prompt_tokens, completion_tokens)
        if cost:
            LLM_COST.labels(provider, label).inc(cost)

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


def _attempt_usage(
    input: AnswerInput, provider: str, prompt: Prompt, stream: StreamWriter | None
) -> AttemptUsage | None:
    """The usage row of this attempt (none outside a workflow run)."""
    info = activity.info()
    if info.workflow_id is None:
        return None
    node_id = input.node_id or ""
    number = stream.stream if stream is not None else 0
    return AttemptUsage(
        key=f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}/{info.attempt}"
        f"/{node_id}/{number}",
        run_id=info.workflow_id,
        node_id=node_id,
        attempt=number,
        provider=provider,
        model=input.model,
        prompt_chars=_prompt_chars(prompt),
    )


def _prompt_chars(prompt: Prompt) -> int:
    """The characters sent: system instruction, earlier turns and the message."""
    return (
        len(prompt.system) + sum(len(t.content) for t in prompt.history) + len(prompt.user_message)
    )
