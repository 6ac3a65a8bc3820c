"""Chat with a RAG workflow beside the canvas, then follow the run: detail, list, re-run,
audit export. Real stack, real chromium; OpenAI is the loopback fake."""

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.support.browser import screenshot
from tests.support.fakes.http_fake import Delay, Failure
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import RunningStack

PASSAGES = [("Refunds take 30 days from delivery.", "policy.pdf", 4)]


@pytest.fixture(scope="module")
def knowledge_base(running_stack: RunningStack, admin: httpx.Client) -> str:
    """A knowledge base of the admin's holding ``PASSAGES``."""
    # Playwright's sync API keeps an event loop running in this thread: seed from another
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(seeded_knowledge_base, admin, running_stack.env, PASSAGES).result()


def create_workflow(admin: httpx.Client, name: str, graph: dict[str, Any]) -> str:
    reply = admin.post("/workflows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def open_chat(page: Page, builder_url: str, workflow_id: str) -> Any:
    page.goto(f"{builder_url}/workflows/{workflow_id}")
    page.get_by_role("tab", name="Chat").click()  # the builder's side panel
    panel = page.get_by_test_id("chat-panel")
    expect(panel).to_be_visible()
    return panel


def test_chat_answers_with_citations_and_the_run_can_be_followed(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    name = f"Refund helper {uuid.uuid4().hex[:6]}"
    wf_id = create_workflow(admin, name, rag_graph(knowledge_base))

    # chat with the draft (test mode)
    panel = open_chat(page, builder_url, wf_id)
    panel.get_by_role("combobox", name="Version").click()
    page.get_by_role("option", name="Draft (test mode)").click()
    panel.get_by_label("Message").fill("How long do refunds take?")
    panel.get_by_label("Message").press("Enter")
    answer = panel.get_by_test_id("chat-message-assistant").last
    # the fake echoes the prompt's last line ("Question: ...")
    expect(answer).to_contain_text("Fake answer from gpt-4o-mini: ", timeout=60_000)
    expect(answer).to_contain_text("How long do refunds take?")
    expect(answer.get_by_test_id("citation")).to_have_text(["policy.pdf, p. 4"])
    expect(answer.get_by_test_id("chat-model")).to_have_text("gpt-4o-mini")
    expect(answer.get_by_test_id("chat-usage")).to_contain_text("tokens")
    run_link = answer.get_by_role("link", name="View run")
    href = run_link.get_attribute("href") or ""
    match = re.fullmatch(r"/runs/([\w-]+)", href)
    assert match, href
    run_id = match.group(1)
    # the knowledge base's passage reached the model
    prompt = json.dumps(fakes.openai.chat_requests[-1]["messages"])
    assert "Refunds take 30 days" in prompt
    expect(panel.get_by_role("button", name="New session")).to_be_enabled()  # settled
    page.wait_for_timeout(400)  # MUI's colour transitions
    screenshot(page, "20-chat")

    # the session's history survives a reload
    page.reload()
    page.get_by_role("tab", name="Chat").click()
    panel = page.get_by_test_id("chat-panel")
    expect(panel.get_by_test_id("chat-message-user")).to_have_text(["How long do refunds take?"])
    expect(panel.get_by_test_id("chat-message-assistant")).to_contain_text(
        ["Fake answer from gpt-4o-mini"]
    )
    sessions = admin.get("/chat/sessions", params={"workflow_id": wf_id}).json()
    assert [s["title"] for s in sessions] == ["How long do refunds take?"]

    # the run: four completed steps, the passage and the model's tokens
    panel.get_by_role("link", name="View run").click()
    expect(page).to_have_url(f"{builder_url}/runs/{run_id}")
    nodes = page.get_by_test_id("timeline-node")
    expect(nodes).to_have_count(4)
    for node_id in ("query", "kb", "llm", "out"):
        expect(
            page.locator(f'[data-testid="timeline-node"][data-node-id="{node_id}"]')
        ).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("run-status")).to_contain_text("completed")
    expect(page.get_by_test_id("run-query")).to_have_text("How long do refunds take?")
    llm = page.locator('[data-testid="timeline-node"][data-node-id="llm"]')
    expect(llm.get_by_test_id("node-model")).to_contain_text("gpt-4o-mini")
    page.get_by_role("button", name="Show details of kb").click()
    expect(page.get_by_test_id("passage")).to_contain_text("policy.pdf, p. 4")
    expect(page.get_by_label("Outputs")).to_contain_text("Refunds take 30 days")
    page.wait_for_timeout(500)  # the row's expansion animates
    screenshot(page, "22-run-detail")

    # the runs list, filtered by workflow
    page.get_by_role("banner").get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    page.get_by_role("combobox", name="Workflow").click()
    page.get_by_role("option", name=name).click()
    expect(page).to_have_url(re.compile(rf"workflow={wf_id}"))
    expect(page.locator(".MuiPopover-root")).to_have_count(0)  # the menu has closed
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-run-id", run_id)
    expect(row).to_contain_text("draft")
    expect(row).to_contain_text("completed")
    expect(row).to_contain_text("How long do refunds take?")
    screenshot(page, "21-runs")

    # re-run it: a new run whose parent is the first
    row.click()
    expect(page).to_have_url(f"{builder_url}/runs/{run_id}")
    page.get_by_role("button", name="Re-run").click()
    expect(page).not_to_have_url(f"{builder_url}/runs/{run_id}", timeout=60_000)
    rerun_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("parent-run-link")).to_have_text(run_id)
    expect(page.get_by_test_id("run-status")).to_contain_text("completed")
    expect(page.get_by_test_id("timeline-node")).to_have_count(4)
    listed = admin.get("/runs", params={"workflow_id": wf_id}).json()["items"]
    assert {(r["id"], r["kind"]) for r in listed} == {(run_id, "run"), (rerun_id, "rerun")}

    # compare with the parent: the same plan
    page.get_by_role("button", name="Compare with parent").click()
    expect(page.get_by_test_id("run-comparison")).to_contain_text("same plan")

    # replay from the LLM step: the steps before it are reused, not run again
    calls = len(fakes.openai.chat_requests)
    page.get_by_role("combobox", name="Replay from").click()
    page.get_by_role("option", name="llm (llm_engine)").click()
    page.get_by_role("button", name="Replay from step").click()
    expect(page).not_to_have_url(f"{builder_url}/runs/{rerun_id}", timeout=60_000)
    replay_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("parent-run-link")).to_have_text(rerun_id)
    expect(page.get_by_test_id("run-status")).to_contain_text("completed")
    for node_id, status in (("query", "reused"), ("kb", "reused"), ("llm", "completed")):
        expect(
            page.locator(f'[data-testid="timeline-node"][data-node-id="{node_id}"]')
        ).to_have_attribute("data-status", status)
    assert len(fakes.openai.chat_requests) == calls + 1
    page.go_back()
    expect(page).to_have_url(f"{builder_url}/runs/{rerun_id}")
    assert replay_id != rerun_id

    # export the audit record: the file holds the bytes the API sent, and verifies
    served: list[bytes] = []

    def pass_through(route: Route) -> None:
        response = route.fetch()
        served.append(response.body())
        route.fulfill(response=response)

    page.route(f"**/api/v1/runs/{rerun_id}/audit", pass_through)
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Export audit record").click()
    download = downloading.value
    assert download.suggested_filename == f"audit-{rerun_id}.json"
    path = download.path()
    assert path is not None
    saved = path.read_bytes()
    assert len(served) == 1 and saved == served[0]
    verified = admin.post(
        "/audit/verify", content=saved, headers={"content-type": "application/json"}
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True
    assert verified.json()["run_id"] == rerun_id


def test_chat_shows_an_invalid_graph_as_a_readable_message(
    page: Page, builder_url: str, admin: httpx.Client
) -> None:
    graph = {
        "nodes": [
            {"id": "query", "type": "user_query", "config": {}},
            {"id": "out", "type": "output", "config": {}},
        ],
        "edges": [],
    }
    wf_id = create_workflow(admin, f"Broken {uuid.uuid4().hex[:6]}", graph)
    panel = open_chat(page, builder_url, wf_id)
    panel.get_by_label("Message").fill("Anyone there?")
    panel.get_by_role("button", name="Send").click()
    error = panel.get_by_test_id("chat-error")
    expect(error).to_contain_text("The workflow cannot run")
    expect(error).to_contain_text("needs its 'answer' input")
    expect(panel.get_by_test_id("chat-message-user")).to_have_text(["Anyone there?"])
    screenshot(page, "23-chat-error")


def test_a_slow_run_shows_progress_and_a_failed_run_names_its_step(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    name = f"Slow helper {uuid.uuid4().hex[:6]}"
    wf_id = create_workflow(admin, name, rag_graph(knowledge_base))
    try:
        # a slow LLM: the chat says the run is going; a second tab watches it live
        fakes.openai.script([Delay(8)], CHAT)
        panel = open_chat(page, builder_url, wf_id)
        panel.get_by_label("Message").fill("Slow question")
        panel.get_by_role("button", name="Send").click()
        expect(panel.get_by_test_id("chat-running")).to_be_visible()
        watcher = page.context.new_page()
        watcher.goto(f"{builder_url}/runs?workflow={wf_id}")
        row = watcher.get_by_test_id("run-row").first
        expect(row).to_contain_text("running")
        row.click()
        expect(watcher.get_by_test_id("run-status")).to_contain_text("running")
        expect(
            watcher.locator('[data-testid="timeline-node"][data-node-id="kb"]')
        ).to_have_attribute("data-status", "completed")
        # polled, not reloaded: the page sees the end of the run by itself
        expect(watcher.get_by_test_id("run-status")).to_contain_text("completed", timeout=30_000)
        expect(
            watcher.locator('[data-testid="timeline-node"][data-node-id="llm"]')
        ).to_have_attribute("data-status", "completed")
        watcher.close()
        expect(panel.get_by_test_id("chat-running")).to_have_count(0, timeout=30_000)
        expect(panel.get_by_test_id("chat-message-assistant").last).to_contain_text("Slow question")

        # the provider rejects the key: the chat names the step and links the failed run
        fakes.openai.script([Failure(401)], CHAT)
        panel.get_by_label("Message").fill("Who am I?")
        panel.get_by_label("Message").press("Enter")
        error = panel.get_by_test_id("chat-error")
        expect(error).to_contain_text("The run failed at step “llm”")
        expect(error).to_contain_text("401")
        expect(panel.get_by_role("button", name="New session")).to_be_enabled()
        page.wait_for_timeout(400)
        screenshot(page, "24-chat-run-failed")
        error.get_by_role("link", name="View the failed run").click()
        expect(page.get_by_test_id("run-status")).to_contain_text("failed")
        llm = page.locator('[data-testid="timeline-node"][data-node-id="llm"]')
        expect(llm).to_have_attribute("data-status", "failed")
        expect(llm).to_contain_text("401")
        expect(page.get_by_role("button", name="Export audit record")).to_be_enabled()
    finally:
        fakes.openai.clear_script()


def test_the_answer_streams_into_the_chat_and_the_run_page_before_the_run_ends(
    page: Page, builder_url: str, admin: httpx.Client, fakes: Fakes
) -> None:
    name = f"Streaming helper {uuid.uuid4().hex[:6]}"
    wf_id = create_workflow(admin, name, direct_llm_graph(model="gpt-4o-mini"))
    fakes.openai.token_delay_seconds = 0.8  # the fake echoes the question: ~15 tokens, ~12 s
    try:
        panel = open_chat(page, builder_url, wf_id)
        question = "please tell me how the refund window works for returned kettles"
        panel.get_by_label("Message").fill(question)
        panel.get_by_role("button", name="Send").click()
        streaming = panel.get_by_test_id("streaming-answer")
        expect(streaming).to_contain_text("Fake answer")  # the first tokens, run still going
        expect(panel.get_by_test_id("chat-running")).to_be_visible()
        partial = streaming.inner_text()
        assert question not in partial  # not the whole answer yet
        screenshot(page, "25-chat-streaming")

        # the run page shows the same answer being written
        run_id = admin.get("/runs", params={"workflow_id": wf_id}).json()["items"][0]["id"]
        watcher = page.context.new_page()
        watcher.goto(f"{builder_url}/runs/{run_id}")
        expect(watcher.get_by_test_id("live-answer")).to_contain_text("Fake answer")
        expect(watcher.get_by_test_id("run-status")).to_contain_text("running")
        screenshot(watcher, "26-run-page-live-answer")
        expect(watcher.get_by_test_id("run-status")).to_contain_text("completed", timeout=30_000)
        watcher.close()

        # the finished answer replaces the stream, whole
        answer = panel.get_by_test_id("chat-message-assistant").last
        expect(answer).to_contain_text(question, timeout=30_000)
        expect(panel.get_by_test_id("streaming-answer")).to_have_count(0)
        expect(panel.get_by_test_id("chat-running")).to_have_count(0)
    finally:
        fakes.openai.token_delay_seconds = 0.0
