"""Run history at 10,000 runs: the filtered list, a deep cursor page and a 10-node timeline.

Starts the real stack (fresh PostgreSQL database, Temporal dev server, Chroma server,
worker and API processes; provider fakes in this process), creates workflows through
the API — one of them a 10-node graph — and executes them for real a few times, so
those runs have Temporal event histories. Then it fills the runs index up to
``--runs`` rows by inserting rows straight into PostgreSQL (only the real runs have
histories), and measures through HTTP, sequentially on one keep-alive connection
after a warm-up:

(a) ``GET /runs?workflow_id=…&status=completed&limit=50``, first page;
(b) the same list, a page deep in it (reached by following ``next_cursor``);
(c) ``GET /runs?limit=50``, first page, unfiltered;
(d) ``GET /runs/{id}/timeline`` of a real run of the 10-node graph;
(e) ``GET /runs?limit=50`` as an ordinary user (only their own ~1,000 runs), first page.

It also prints PostgreSQL's plans (EXPLAIN ANALYZE) of the list queries, captured from
the API's own ``list_runs_page``.

    .venv/bin/python -m bench.run_history [--runs 10000] [--samples 200]
"""

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.db.models import Run, User
from api.runs.index import list_runs_page
from api.runs.schemas import RunFilter
from tests.support.fakes.running import running_fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.support.login import login
from tests.support.postgres import temporary_database

PASSAGES = [(f"Passage {i}: the refund window is {i} days.", f"doc{i}.pdf", i) for i in range(20)]
QUERY = "How long is the refund window?"
OTHER_EMAIL, OTHER_PASSWORD = "other@example.org", "other-password-1"
PAGE = 50
DEEP_PAGES = 20  # (b) times page DEEP_PAGES + 1 of the filtered list
TARGET_LIST_MS, TARGET_TIMELINE_MS = 100.0, 300.0
REAL_RUNS_WIDE, REAL_RUNS_OTHER = 5, 3


def _edge(source: str, source_handle: str, target: str, target_handle: str) -> dict[str, str]:
    return {
        "source": source,
        "source_handle": source_handle,
        "target": target,
        "target_handle": target_handle,
    }


def wide_graph(knowledge_base_id: str) -> dict[str, Any]:
    """Ten nodes: user_query → 2 knowledge_base + 2 web_search → 2 llm_engine → 3 output.

    An input takes one edge, so each llm_engine gets one knowledge base (context) and one
    web search (web_results); llm_a feeds two outputs, llm_b one.
    """
    kb = {"knowledge_base_id": knowledge_base_id, "top_k": 2}
    llm = {"provider": "openai", "model": "gpt-4o-mini", "temperature": 0.2}
    nodes = [
        {"id": "query", "type": "user_query", "config": {}},
        {"id": "kb_a", "type": "knowledge_base", "config": kb},
        {"id": "kb_b", "type": "knowledge_base", "config": {**kb, "top_k": 3}},
        {"id": "web_a", "type": "web_search", "config": {"num_results": 3}},
        {"id": "web_b", "type": "web_search", "config": {"num_results": 5}},
        {"id": "llm_a", "type": "llm_engine", "config": llm},
        {"id": "llm_b", "type": "llm_engine", "config": {**llm, "custom_prompt": "Be brief."}},
        {"id": "out_text", "type": "output", "config": {"response_format": "text"}},
        {"id": "out_md", "type": "output", "config": {"response_format": "markdown"}},
        {"id": "out_b", "type": "output", "config": {"include_metadata": False}},
    ]
    edges = [_edge("query", "query", n, "query") for n in ("kb_a", "kb_b", "web_a", "web_b")]
    edges += [
        _edge("query", "query", "llm_a", "query"),
        _edge("query", "query", "llm_b", "query"),
        _edge("kb_a", "context", "llm_a", "context"),
        _edge("web_a", "results", "llm_a", "web_results"),
        _edge("kb_b", "context", "llm_b", "context"),
        _edge("web_b", "results", "llm_b", "web_results"),
        _edge("llm_a", "answer", "out_text", "answer"),
        _edge("llm_a", "answer", "out_md", "answer"),
        _edge("llm_b", "answer", "out_b", "answer"),
    ]
    return {"nodes": nodes, "edges": edges}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_requests(http: httpx.Client, path: str, samples: int, warmup: int = 20) -> list[float]:
    """Milliseconds per sequential GET (response read in full), after a warm-up."""
    for _ in range(warmup):
        http.get(path).raise_for_status()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        reply = http.get(path)
        reply.read()
        times.append((time.perf_counter() - start) * 1000)
        reply.raise_for_status()
    return times


def synthetic_rows(
    count: int,
    admin_workflows: list[tuple[str, float]],
    admin_id: str,
    other_workflow: str,
    other_id: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Index rows spread over 30 days: ~90 % the admin's (weighted by workflow), ~10 % another
    user's; 85 % completed, 15 % failed; draft or versions 1–3; a few re-runs and replays."""
    rng = random.Random(20261126)
    ids, weights = zip(*admin_workflows, strict=True)
    plan_hashes = {wf: uuid.uuid4().hex * 2 for wf in [*ids, other_workflow]}
    rows: list[dict[str, Any]] = []
    earlier: dict[str, list[str]] = {}
    for _ in range(count):
        if rng.random() < 0.1:
            workflow_id, owner_id = other_workflow, other_id
        else:
            workflow_id, owner_id = rng.choices(ids, weights)[0], admin_id
        started = now - timedelta(seconds=rng.uniform(60, 30 * 86400))
        failed = rng.random() < 0.15
        kind = rng.choices(["run", "rerun", "replay"], [0.9, 0.07, 0.03])[0]
        parents = earlier.setdefault(workflow_id, [])
        if not parents:
            kind = "run"
        run_id = f"run-{uuid.uuid4()}"
        parents.append(run_id)
        version = rng.choice([None, 1, 2, 3])
        rows.append(
            {
                "id": run_id,
                "workflow_id": workflow_id,
                "owner_id": owner_id,
                "session_id": None,
                "plan_hash": plan_hashes[workflow_id],
                "version_number": version,
                "graph_hash": uuid.uuid4().hex * 2,
                "query": f"Question {rng.randrange(10_000)}: how long is the refund window?",
                "kind": kind,
                "parent_run_id": rng.choice(parents[:-1]) if kind != "run" else None,
                "replay_from_node": "llm_a" if kind == "replay" else None,
                "status": "failed" if failed else "completed",
                "error": "llm_a: provider returned 503" if failed else None,
                "started_at": started,
                "finished_at": started + timedelta(seconds=rng.uniform(0.05, 8.0)),
            }
        )
    return rows


def capture_sql(engine: Engine, call: Callable[[Session], object]) -> tuple[str, Any]:
    """The last SQL statement and parameters that ``call`` sent through ``engine``."""
    seen: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        seen.append((args[2], args[3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            call(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen[-1]


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return "\n".join("    " + row[0] for row in plan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000, help="rows in the runs index")
    parser.add_argument("--samples", type=int, default=200, help="timed requests per figure")
    args = parser.parse_args()

    with (
        running_fakes() as fakes,
        temporary_database("genai_bench") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
    ):
        engine = create_engine(database_url)
        with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
            kb_id = seeded_knowledge_base(api, stack.env, PASSAGES)
            admin_id = api.get("/auth/me").raise_for_status().json()["id"]
            other = api.post("/users", json={"email": OTHER_EMAIL, "password": OTHER_PASSWORD})
            other_id = other.raise_for_status().json()["id"]

            graphs = {
                "10-node: 2 KB + 2 web → 2 LLM → 3 outputs": wide_graph(kb_id),
                "support RAG": rag_graph(kb_id),
                "support RAG with web": rag_graph(kb_id, use_web_search=True),
                "plain LLM": direct_llm_graph(provider="openai", model="gpt-4o-mini"),
                "FAQ RAG": rag_graph(kb_id, model="gpt-4o"),
                "drafting assistant": direct_llm_graph(provider="openai", model="gpt-4o"),
            }
            workflow_ids = []
            for name, graph in graphs.items():
                wf = api.post("/workflows", json={"name": name, "graph": graph})
                workflow_ids.append(wf.raise_for_status().json()["id"])
                api.post(f"/workflows/{workflow_ids[-1]}/versions", json={"note": "v1"})
            wide = workflow_ids[0]

            print("executing real runs through POST /workflows/{id}/execute ...", flush=True)
            real_wide = []
            for _ in range(REAL_RUNS_WIDE):
                reply = api.post(f"/workflows/{wide}/execute", json={"query": QUERY})
                real_wide.append(reply.raise_for_status().json()["run_id"])
            for workflow_id in workflow_ids[1:]:
                for _ in range(REAL_RUNS_OTHER):
                    reply = api.post(f"/workflows/{workflow_id}/execute", json={"query": QUERY})
                    reply.raise_for_status()
            token = api.headers["Authorization"]

        with login(stack.api_url, OTHER_EMAIL, OTHER_PASSWORD) as other_api:
            other_kb = seeded_knowledge_base(other_api, stack.env, PASSAGES)
            wf = other_api.post("/workflows", json={"name": "mine", "graph": rag_graph(other_kb)})
            other_workflow = wf.raise_for_status().json()["id"]
            other_token = other_api.headers["Authorization"]
            for _ in range(REAL_RUNS_OTHER):
                reply = other_api.post(
                    f"/workflows/{other_workflow}/execute", json={"query": QUERY}
                )
                reply.raise_for_status()

        with Session(engine) as session:
            real = session.scalar(select(func.count()).select_from(Run)) or 0
            weights = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1]
            rows = synthetic_rows(
                max(0, args.runs - real),
                list(zip(workflow_ids, weights, strict=True)),
                admin_id,
                other_workflow,
                other_id,
                datetime.now(UTC),
            )
            start = time.perf_counter()
            for i in range(0, len(rows), 2000):
                session.execute(insert(Run), rows[i : i + 2000])
            session.commit()
            inserted_s = time.perf_counter() - start
            total = session.scalar(select(func.count()).select_from(Run)) or 0
            matching = session.scalar(
                select(func.count())
                .select_from(Run)
                .where(Run.workflow_id == wide, Run.status == "completed")
            )
            admin = session.get_one(User, admin_id)
            other_user = session.get_one(User, other_id)
        with engine.connect() as conn:
            conn.execute(text("ANALYZE runs"))
            conn.commit()

        print(
            f"\nruns index: {total} rows — {real} from real runs (with Temporal histories), "
            f"{len(rows)} inserted directly into PostgreSQL in {inserted_s:.1f} s (index rows "
            f"only, no histories); then ANALYZE runs.\n"
            f"filter workflow_id=<10-node workflow>&status=completed matches {matching} rows; "
            f"the second user owns {sum(r['owner_id'] == other_id for r in rows)} inserted rows."
        )

        filtered = f"/api/v1/runs?workflow_id={wide}&status=completed&limit={PAGE}"
        figures: dict[str, tuple[list[float], float]] = {}
        with httpx.Client(
            base_url=stack.api_url, headers={"Authorization": token}, timeout=60
        ) as http:
            cursor = None
            for _ in range(DEEP_PAGES):
                page = http.get(filtered + (f"&cursor={cursor}" if cursor else "")).json()
                cursor = page["next_cursor"]
            deep = f"{filtered}&cursor={cursor}"
            deep_items = len(http.get(deep).json()["items"])
            timeline_path = f"/api/v1/runs/{real_wide[-1]}/timeline"
            timeline = http.get(timeline_path).raise_for_status().json()["timeline"]
            nodes = len(timeline["nodes"])

            paths = {
                "(a) filtered list, first page": (filtered, TARGET_LIST_MS),
                f"(b) filtered list, page {DEEP_PAGES + 1} (cursor)": (deep, TARGET_LIST_MS),
                "(c) unfiltered list, first page": (f"/api/v1/runs?limit={PAGE}", TARGET_LIST_MS),
                f"(d) timeline of a real {nodes}-node run": (timeline_path, TARGET_TIMELINE_MS),
            }
            for label, (path, target) in paths.items():
                figures[label] = (time_requests(http, path, args.samples), target)
            http.headers["Authorization"] = other_token  # not an admin: only their own runs
            figures["(e) a non-admin's own runs, first page"] = (
                time_requests(http, f"/api/v1/runs?limit={PAGE}", args.samples),
                TARGET_LIST_MS,
            )

        print(
            f"\n{args.samples} sequential requests each, one keep-alive connection, after 20 "
            f"warm-up requests (ms); page size {PAGE}, deep page held {deep_items} items; "
            f"timeline: {nodes} nodes, status {timeline['status']}"
        )
        print(f"{'request':<44}{'p50':>8}{'p95':>8}{'max':>8}{'mean':>8}  target p95")
        for label, (samples, target) in figures.items():
            p95 = percentile(samples, 0.95)
            verdict = "PASS" if p95 <= target else "FAIL"
            print(
                f"{label:<44}{percentile(samples, 0.5):>8.1f}{p95:>8.1f}{max(samples):>8.1f}"
                f"{statistics.mean(samples):>8.1f}  ≤ {target:.0f}  {verdict}"
            )

        print("\nPostgreSQL plans of the list queries, as list_runs_page sends them:")
        cases = {
            "(a) filtered, first page": RunFilter(workflow_id=wide, status="completed", limit=PAGE),
            "(b) filtered, deep page": RunFilter(
                workflow_id=wide, status="completed", cursor=cursor, limit=PAGE
            ),
            "(c) unfiltered, first page": RunFilter(limit=PAGE),
            "(e) a non-admin's own runs": RunFilter(limit=PAGE),
        }
        for label, run_filter in cases.items():
            user = other_user if label.startswith("(e)") else admin
            statement, parameters = capture_sql(
                engine, partial(list_runs_page, user=user, run_filter=run_filter)
            )
            print(f"\n  {label}:\n{explain(engine, statement, parameters)}")
        engine.dispose()


if __name__ == "__main__":
    main()
