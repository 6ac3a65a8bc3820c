"""The Builder screen in a real browser against the real stack: drag components from the
palette, connect typed ports (and see a wrong connection refused with its reason),
configure nodes from their schemas, save, validate (problems on the nodes, then valid),
publish, diff versions, undo/redo, delete from the keyboard, import/export."""

import json
import re
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import screenshot
from tests.support.graphs import rag_graph


def drop(page: Page, component: str, x: int, y: int) -> None:
    """Drags a palette item onto the canvas at (x, y) from the canvas' top-left corner."""
    page.get_by_test_id(f"palette-{component}").drag_to(
        page.get_by_test_id("canvas"), target_position={"x": x, "y": y}
    )


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def connect(page: Page, source: str, target: str) -> None:
    """Drags from one handle to another, as a person connects ports."""
    sx, sy = centre(page.get_by_test_id(source))
    tx, ty = centre(page.get_by_test_id(target))
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=5)
    page.mouse.move(tx, ty, steps=5)
    page.mouse.up()


def edges(page: Page) -> Locator:
    return page.locator(".react-flow__edge")


def click_node(page: Page, node_id: str) -> None:
    # The header: away from the handles.
    page.get_by_test_id(f"node-{node_id}").get_by_text(node_id, exact=True).click()


def click_empty_canvas(page: Page) -> None:
    box = page.get_by_test_id("canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] - 30, box["y"] + 30)


def test_build_validate_publish_diff_undo_delete(
    page: Page, builder_url: str, admin: httpx.Client, tmp_path: Path
) -> None:
    kb = admin.post(
        "/knowledge-bases", json={"name": "Refund policies", "embedding_provider": "openai"}
    )
    kb.raise_for_status()
    workflow = admin.post("/workflows", json={"name": "Refund assistant", "description": ""})
    workflow.raise_for_status()
    workflow_id = workflow.json()["id"]

    page.goto(f"{builder_url}/workflows/{workflow_id}")
    expect(page.get_by_role("heading", name="Refund assistant")).to_be_visible()
    expect(page.get_by_text("This workflow is empty")).to_be_visible()
    expect(page.get_by_test_id("palette-web_search")).to_be_visible()
    screenshot(page, "10-builder-empty")

    # Drag the four components onto the canvas.
    drop(page, "user_query", 60, 60)
    drop(page, "knowledge_base", 340, 60)
    drop(page, "llm_engine", 60, 330)
    drop(page, "output", 340, 330)
    for node_id in ("user_query_1", "knowledge_base_1", "llm_engine_1", "output_1"):
        expect(page.get_by_test_id(f"node-{node_id}")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    expect(page.get_by_text("This workflow is empty")).to_have_count(0)

    # Connect the chain; a wrong connection is refused with its reason.
    connect(page, "handle-user_query_1-query", "handle-knowledge_base_1-query")
    expect(edges(page)).to_have_count(1)
    connect(page, "handle-knowledge_base_1-context", "handle-llm_engine_1-query")
    expect(page.get_by_test_id("notice")).to_contain_text(
        "context (passages) cannot connect to query (text)"
    )
    screenshot(page, "11-builder-refused-connection")
    expect(edges(page)).to_have_count(1)
    page.get_by_test_id("notice").get_by_role("button", name="Close").click()
    connect(page, "handle-user_query_1-query", "handle-knowledge_base_1-query")
    expect(page.get_by_test_id("notice")).to_contain_text(
        "query of knowledge_base_1 is already connected"
    )
    page.get_by_test_id("notice").get_by_role("button", name="Close").click()
    connect(page, "handle-knowledge_base_1-context", "handle-llm_engine_1-context")
    connect(page, "handle-llm_engine_1-answer", "handle-output_1-answer")
    expect(edges(page)).to_have_count(3)

    # Configure the knowledge base and the LLM from their schemas.
    click_node(page, "knowledge_base_1")
    panel = page.get_by_test_id("config-panel")
    expect(panel).to_contain_text("Knowledge Base")
    panel.get_by_role("combobox", name="Knowledge base").click()
    page.get_by_role("option", name=re.compile("Refund policies")).click()
    expect(panel.get_by_label("Collection")).to_have_count(0)

    click_node(page, "llm_engine_1")
    expect(panel).to_contain_text("LLM Engine")
    model = panel.get_by_role("combobox", name="Model")
    model.fill("gpt-4o")
    page.get_by_role("option", name="gpt-4o", exact=True).click()
    expect(model).to_have_value("gpt-4o")
    panel.get_by_label("Temperature value").fill("0.21")
    slider = panel.get_by_role("slider", name="Temperature")
    expect(slider).to_have_attribute("aria-valuenow", "0.21")
    slider.focus()
    page.keyboard.press("ArrowLeft")  # the slider itself: 0.21 → 0.2
    expect(panel.get_by_label("Temperature value")).to_have_value("0.2")
    panel.get_by_label("Prompt").fill("Answer from the refund policy only. Cite it.")
    panel.get_by_role("button", name="Advanced").click()
    panel.get_by_label("Timeout (seconds)").fill("45")
    panel.get_by_label("Maximum attempts").fill("2")
    expect(page.get_by_test_id("node-llm_engine_1")).to_contain_text("gpt-4o · temp 0.2")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # Validate: the LLM's query input is not connected yet.
    page.get_by_role("button", name="Validate").click()
    result = page.get_by_test_id("validation-result")
    expect(result).to_contain_text("problem")
    llm = page.get_by_test_id("node-llm_engine_1")
    expect(llm).to_have_attribute("data-invalid", "true")
    expect(page.get_by_test_id("node-problems-llm_engine_1")).to_contain_text(
        "needs its 'query' input"
    )
    expect(page.get_by_test_id("node-output_1")).to_have_attribute("data-invalid", "false")
    screenshot(page, "12-builder-invalid")

    # Fix it, validate again.
    connect(page, "handle-user_query_1-query", "handle-llm_engine_1-query")
    expect(edges(page)).to_have_count(4)
    page.get_by_role("button", name="Validate").click()
    expect(result).to_contain_text("The workflow is valid: 4 steps")
    expect(llm).to_have_attribute("data-invalid", "false")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")  # validate saved first
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_timeout(500)  # the fit-view animation
    screenshot(page, "13-builder-valid")

    # Publish version 1.
    page.get_by_role("button", name="Publish").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Note").fill("First version")
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Published version 1")
    expect(
        page.get_by_role("toolbar", name="Builder").get_by_text("v1", exact=True)
    ).to_be_visible()

    # Change the temperature, save, and see the diff against version 1.
    click_node(page, "llm_engine_1")
    panel.get_by_label("Temperature value").fill("0.5")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.get_by_role("button", name="Versions").click()
    versions = page.get_by_role("dialog", name="Versions")
    expect(versions.get_by_test_id("version-1")).to_contain_text("First version")
    diff = versions.get_by_test_id("diff-view")
    expect(diff).to_contain_text("From v1 to saved draft")
    expect(diff).to_contain_text("config.temperature: 0.2 → 0.5")
    screenshot(page, "14-builder-versions-diff")
    versions.get_by_role("button", name="Close").click()

    # Undo (keyboard) and redo (button) the temperature change.
    click_empty_canvas(page)
    page.keyboard.press("Control+z")
    expect(llm).to_contain_text("temp 0.2")
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Redo (Ctrl+Shift+Z)").click()
    expect(llm).to_contain_text("temp 0.5")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # Add a web search node from the palette's + button and delete it from the keyboard.
    page.get_by_role("button", name="Add Web Search").click()
    web = page.get_by_test_id("node-web_search_1")
    expect(web).to_be_visible()
    click_node(page, "web_search_1")
    page.keyboard.press("Delete")
    expect(web).to_have_count(0)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # Leaving with unsaved changes asks first.
    page.get_by_role("button", name="Auto-layout").click()
    click_node(page, "output_1")
    panel.get_by_role("combobox", name="Response format").click()
    page.get_by_role("option", name="text", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    page.get_by_role("link", name="Workflows", exact=True).click()
    leave = page.get_by_role("dialog", name="Leave without saving?")
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="Stay").click()
    expect(page).to_have_url(re.compile(f"/workflows/{workflow_id}$"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # Export downloads the graph; a file that is not a graph is refused on import.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported_path = tmp_path / "exported.json"
    download.value.save_as(exported_path)
    exported = json.loads(exported_path.read_text())
    assert len(exported["nodes"]) == 4 and len(exported["edges"]) == 4
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"id": "a"}]}')
    page.get_by_test_id("import-input").set_input_files(str(bad))
    expect(page.get_by_test_id("notice")).to_contain_text("Could not import bad.json")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    # Backspace deletes too; importing the exported file brings the graph back.
    click_node(page, "output_1")
    page.keyboard.press("Backspace")
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(edges(page)).to_have_count(3)
    page.get_by_test_id("import-input").set_input_files(str(exported_path))
    expect(page.get_by_test_id("notice")).to_contain_text("Imported 4 nodes and 4 edges")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.wait_for_timeout(300)
    screenshot(page, "15-builder-final")

    # Back on the dashboard and in again: the saved graph, not a stale copy.
    page.get_by_role("link", name="Workflows", exact=True).click()
    page.get_by_test_id("workflow-card").filter(has_text="Refund assistant").click()
    expect(page.get_by_test_id("node-output_1")).to_contain_text("text")
    expect(page.get_by_test_id("node-llm_engine_1")).to_contain_text("temp 0.5")
    expect(edges(page)).to_have_count(4)

    # What the API saved.
    graph = admin.get(f"/workflows/{workflow_id}/graph").json()
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert {n["type"] for n in nodes.values()} == {
        "user_query",
        "knowledge_base",
        "llm_engine",
        "output",
    }
    assert nodes["knowledge_base_1"]["config"]["knowledge_base_id"] == kb.json()["id"]
    llm_node = nodes["llm_engine_1"]
    assert llm_node["config"]["model"] == "gpt-4o"
    assert llm_node["config"]["temperature"] == 0.5
    assert llm_node["config"]["custom_prompt"] == "Answer from the refund policy only. Cite it."
    assert llm_node["policy"]["start_to_close_seconds"] == 45
    assert llm_node["policy"]["maximum_attempts"] == 2
    assert nodes["output_1"]["config"]["response_format"] == "text"
    assert sorted(
        (e["source"], e["source_handle"], e["target"], e["target_handle"]) for e in graph["edges"]
    ) == [
        ("knowledge_base_1", "context", "llm_engine_1", "context"),
        ("llm_engine_1", "answer", "output_1", "answer"),
        ("user_query_1", "query", "knowledge_base_1", "query"),
        ("user_query_1", "query", "llm_engine_1", "query"),
    ]
    versions_list = admin.get(f"/workflows/{workflow_id}/versions").json()
    assert [v["number"] for v in versions_list] == [1]
    assert admin.get(f"/workflows/{workflow_id}/validate").status_code == 200

    # Restore version 1 into the draft.
    page.get_by_role("button", name="Versions").click()
    versions = page.get_by_role("dialog", name="Versions")
    versions.get_by_role("button", name="Restore v1").click()
    versions.get_by_role("button", name="Yes, restore v1").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Restored version 1")
    expect(page.get_by_test_id("node-llm_engine_1")).to_contain_text("temp 0.2")
    expect(page.get_by_test_id("node-output_1")).to_contain_text("markdown")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    restored = admin.get(f"/workflows/{workflow_id}/graph").json()
    llm_config = next(n for n in restored["nodes"] if n["id"] == "llm_engine_1")["config"]
    assert llm_config["temperature"] == 0.2

    # The chat beside the canvas.
    page.get_by_role("tab", name="Chat").click()
    expect(page.get_by_label("Message")).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, "18-builder-chat")


def test_narrow_window_loads_a_saved_graph_and_opens_the_panel(
    page: Page, builder_url: str, admin: httpx.Client
) -> None:
    created = admin.post(
        "/workflows", json={"name": "Narrow", "description": "", "graph": rag_graph("kb-narrow")}
    )
    created.raise_for_status()
    page.set_viewport_size({"width": 760, "height": 900})
    page.goto(f"{builder_url}/workflows/{created.json()['id']}")
    for node_id in ("query", "kb", "llm", "out"):
        expect(page.get_by_test_id(f"node-{node_id}")).to_be_visible()
    expect(edges(page)).to_have_count(4)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    # The side panel is hidden behind the toolbar's toggle; the palette is a strip on top.
    expect(page.get_by_role("tab", name="Configure")).to_have_count(0)
    expect(page.get_by_test_id("palette-output")).to_be_visible()
    screenshot(page, "16-builder-narrow")

    page.get_by_test_id("node-llm").dblclick()
    drawer = page.get_by_test_id("config-panel")
    expect(drawer).to_contain_text("LLM Engine")
    expect(drawer.get_by_role("slider", name="Temperature")).to_have_attribute(
        "aria-valuenow", "0.2"
    )
    page.wait_for_timeout(400)  # the drawer's slide-in
    screenshot(page, "17-builder-narrow-panel")
    page.get_by_role("tab", name="Chat").click()
    expect(page.get_by_role("tab", name="Chat")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Message")).to_be_visible()  # the chat panel, in test mode
    page.get_by_role("button", name="Close side panel").click()
    expect(page.get_by_role("tab", name="Chat")).to_be_hidden()


def test_back_button_asks_before_leaving_unsaved_changes(
    page: Page, builder_url: str, admin: httpx.Client
) -> None:
    name = f"Back guard {uuid.uuid4().hex[:8]}"  # others create workflows in the same database
    created = admin.post(
        "/workflows", json={"name": name, "description": "", "graph": rag_graph("kb-back")}
    )
    created.raise_for_status()
    workflow_id = created.json()["id"]
    # Into the builder from the dashboard, so that Back stays inside the app.
    page.goto(builder_url + "/")  # the dashboard, listing the new workflow
    page.get_by_label("Search").fill(name)
    page.get_by_test_id("workflow-card").filter(has_text=name).get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(f"/workflows/{workflow_id}$"))
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    expect(page.locator(".react-flow__node")).to_have_count(4)

    drop(page, "output", 420, 420)
    expect(page.locator(".react-flow__node")).to_have_count(5)
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")

    # Back with unsaved changes asks first; staying keeps the builder and the change.
    page.go_back()
    leave = page.get_by_role("dialog", name="Leave without saving?")
    expect(leave).to_be_visible()
    page.wait_for_timeout(300)  # the dialog's fade-in
    screenshot(page, "19-builder-back-prompt")
    leave.get_by_role("button", name="Stay").click()
    expect(leave).to_be_hidden()
    expect(page).to_have_url(re.compile(f"/workflows/{workflow_id}$"))
    expect(page.locator(".react-flow__node")).to_have_count(5)
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")

    # Saved: Back leaves without a prompt.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()
    expect(leave).to_have_count(0)
    saved = admin.get(f"/workflows/{workflow_id}")
    saved.raise_for_status()
    assert len(saved.json()["graph"]["nodes"]) == 5


def test_missing_workflow_shows_the_apis_message(page: Page, builder_url: str) -> None:
    page.goto(f"{builder_url}/workflows/no-such-workflow")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Could not load the workflow")
    expect(alert).to_contain_text("not found")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
