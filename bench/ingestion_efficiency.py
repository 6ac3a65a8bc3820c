"""Ingestion efficiency: durable ingestion vs. the bare embedding model, in one run.

Builds a 204-page PDF (the 17-page spec PDF of tests/data, twelve times over) and measures:

- extraction: pages/second of ``extract_document`` in this process;
- raw: chunks/second of all-MiniLM-L6-v2 embedding the very chunks ingestion makes, in
  batches of 32, in this process, with the model already loaded;
- end to end: chunks/second from upload start until ``IngestDocument`` closed (its
  history's last event), through the real stack (API, Temporal, worker, Chroma server),
  with the document polled once a second as a progress bar would;
- the efficiency ratio end-to-end / raw (target ≥ 0.85).

    .venv/bin/python -m bench.ingestion_efficiency [--copies 12]
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
from temporalio.testing import ActivityEnvironment

from activities.ingest.activities import IngestActivities
from activities.providers.embeddings import Embedder, warm_up_local_model
from settings import Settings
from tests.support.documents import spec_pdf_copies
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack, launch_stack
from tests.support.login import login
from tests.support.polling import eventually
from tests.support.postgres import temporary_database
from workflows.components import EmbeddingProvider
from workflows.ingest_io import ChunkInput, ExtractInput

MODEL = "all-MiniLM-L6-v2"
CHUNK_SIZE, CHUNK_OVERLAP, BATCH = 1000, 150, 32


async def in_process(pdf: Path, work: Path) -> tuple[int, float, list[str], float]:
    """Pages, extraction seconds, chunk texts, and raw embedding seconds."""
    settings = Settings(data_dir=work)
    activities = IngestActivities(settings)
    env = ActivityEnvironment()
    start = time.perf_counter()
    extracted = await env.run(
        activities.extract_document,
        ExtractInput(document_id="bench", file_path=str(pdf), file_type="pdf", work_dir="bench"),
    )
    extract_seconds = time.perf_counter() - start
    chunked = await env.run(
        activities.chunk_document,
        ChunkInput(
            document_id="bench",
            pages_path=extracted.pages_path,
            chunk_size=CHUNK_SIZE,
            chunk_overlap=CHUNK_OVERLAP,
            work_dir="bench",
        ),
    )
    lines = (settings.ingest_work_dir / chunked.chunks_path).read_text().splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    embedder = Embedder(settings)
    await asyncio.to_thread(warm_up_local_model)  # as the worker does at start
    start = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        await embedder.embed_texts(EmbeddingProvider.LOCAL, MODEL, texts[i : i + BATCH])
    return extracted.pages_extracted, extract_seconds, texts, time.perf_counter() - start


def end_to_end(api: httpx.Client, data: bytes) -> tuple[dict, float]:
    """Uploads and waits, polling once a second as a progress bar would; upload seconds."""
    kb = (
        api.post(
            "/knowledge-bases",
            json={"name": "bench", "chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP},
        )
        .raise_for_status()
        .json()
    )
    start = time.perf_counter()
    doc = (
        api.post(
            "/documents/upload",
            data={"knowledge_base_id": kb["id"]},
            files={"file": ("bench.pdf", data, "application/pdf")},
        )
        .raise_for_status()
        .json()
    )
    uploaded = time.perf_counter() - start

    def finished() -> dict | None:
        now = api.get(f"/documents/{doc['id']}").raise_for_status().json()
        return now if now["status"] in ("completed", "failed", "cancelled") else None

    done = eventually(finished, timeout=3600, interval=1.0, message="the ingestion never ended")
    return done, uploaded


async def activity_timeline(stack: RunningStack, document_id: str) -> tuple[float, list[str]]:
    """Seconds from workflow start to close, and each activity's start and duration."""
    client = await stack.temporal()
    history = await client.get_workflow_handle(f"ingest-{document_id}").fetch_history()
    started_at = history.events[0].event_time.ToDatetime()
    names: dict[int, str] = {}
    begun: dict[int, float] = {}
    lines = []
    for event in history.events:
        at = (event.event_time.ToDatetime() - started_at).total_seconds()
        if event.HasField("activity_task_scheduled_event_attributes"):
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
            begun[event.event_id] = at
        elif event.HasField("activity_task_completed_event_attributes"):
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            lines.append(
                f"  {begun[scheduled]:6.2f} s  {names[scheduled]:<18} "
                f"{at - begun[scheduled]:6.2f} s"
            )
    closed = (history.events[-1].event_time.ToDatetime() - started_at).total_seconds()
    return closed, [*lines, f"  workflow closed at {closed:.2f} s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=12)
    args = parser.parse_args()
    data = spec_pdf_copies(args.copies)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "big.pdf"
        pdf.write_bytes(data)
        pages, extract_s, texts, raw_s = asyncio.run(in_process(pdf, Path(tmp) / "local"))
        with (
            fakes_in_another_process() as fakes,
            temporary_database("genai_bench") as database_url,
            launch_stack(
                fakes.urls, database_url, Path(tmp) / "stack", Path(tmp) / "logs"
            ) as stack,
            login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api,
        ):
            api.timeout = httpx.Timeout(120)
            doc, upload_s = end_to_end(api, data)
            closed_s, timeline = asyncio.run(activity_timeline(stack, doc["id"]))
            e2e_s = upload_s + closed_s  # upload answered once the workflow had started
    assert doc["status"] == "completed", doc
    assert doc["chunks_total"] == len(texts), (doc["chunks_total"], len(texts))
    raw_rate = len(texts) / raw_s
    e2e_rate = doc["chunks_total"] / e2e_s
    print(
        f"\n{pages}-page PDF ({len(data) / 1e6:.1f} MB), "
        f"{len(texts)} chunks of ≤ {CHUNK_SIZE} chars"
    )
    print(
        f"extraction, in process:            {pages / extract_s:8.1f} pages/s ({extract_s:.2f} s)"
    )
    print(f"raw embedding ({MODEL}), one process: {raw_rate:8.1f} chunks/s ({raw_s:.1f} s)")
    print(f"end to end (upload → completed):   {e2e_rate:8.1f} chunks/s ({e2e_s:.1f} s)")
    print(f"efficiency (end to end / raw):     {e2e_rate / raw_rate:8.2f}")
    print("IngestDocument timeline (start offset, activity, scheduled → completed):")
    print("\n".join(timeline))


if __name__ == "__main__":
    main()
