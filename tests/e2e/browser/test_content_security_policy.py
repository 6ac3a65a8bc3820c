"""The builder works under the API's Content-Security-Policy (no inline script, no eval,
inline styles allowed for MUI and React Flow): logging in, the dashboard, building a graph
by drag and drop, connecting ports, configuring a node, saving and reloading, with not one
CSP violation reported by the browser."""

import httpx
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.support.browser import screenshot

# Collects what the browser refuses, from the page's first script on.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""


def drop(page: Page, component: str, x: int, y: int) -> None:
    page.get_by_test_id(f"palette-{component}").drag_to(
        page.get_by_test_id("canvas"), target_position={"x": x, "y": y}
    )


def connect(page: Page, source: str, target: str) -> None:
    source_box = page.get_by_test_id(source).bounding_box()
    target_box = page.get_by_test_id(target).bounding_box()
    assert source_box is not None and target_box is not None
    sx, sy = source_box["x"] + source_box["width"] / 2, source_box["y"] + source_box["height"] / 2
    tx, ty = target_box["x"] + target_box["width"] / 2, target_box["y"] + target_box["height"] / 2
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=5)
    page.mouse.move(tx, ty, steps=5)
    page.mouse.up()


def test_the_builder_works_under_the_csp_without_a_violation(
    page: Page, builder_url: str, admin: httpx.Client
) -> None:
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.add_init_script(RECORD_VIOLATIONS)
    workflow = admin.post("/workflows", json={"name": "Under the CSP", "description": ""})
    workflow.raise_for_status()
    workflow_id = workflow.json()["id"]

    dashboard = page.goto(builder_url + "/")
    assert dashboard is not None
    policy = dashboard.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    expect(page.get_by_role("heading", name="Workflows")).to_be_visible()
    expect(page.get_by_text("Under the CSP")).to_be_visible()

    page.goto(f"{builder_url}/workflows/{workflow_id}")
    expect(page.get_by_role("heading", name="Under the CSP")).to_be_visible()
    drop(page, "user_query", 60, 60)
    drop(page, "llm_engine", 60, 330)
    drop(page, "output", 340, 330)
    for node_id in ("user_query_1", "llm_engine_1", "output_1"):
        expect(page.get_by_test_id(f"node-{node_id}")).to_be_visible()
    connect(page, "handle-user_query_1-query", "handle-llm_engine_1-query")
    connect(page, "handle-llm_engine_1-answer", "handle-output_1-answer")
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    # Node styles (React Flow's style attributes) and MUI's injected styles apply.
    node = page.get_by_test_id("node-llm_engine_1")
    assert (
        node.evaluate("e => getComputedStyle(e.closest('.react-flow__node')).transform") != "none"
    )
    page.get_by_test_id("node-llm_engine_1").get_by_text("llm_engine_1", exact=True).click()
    panel = page.get_by_test_id("config-panel")
    expect(panel).to_contain_text("LLM Engine")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    screenshot(page, "40-builder-under-csp")

    page.reload()
    expect(page.get_by_test_id("node-output_1")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    saved = admin.get(f"/workflows/{workflow_id}/graph").json()
    assert {n["id"] for n in saved["nodes"]} == {"user_query_1", "llm_engine_1", "output_1"}

    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert console == [], console

    # The policy is enforced and a violation would have been seen: an injected inline script
    # does not run, and the browser reports it.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.body.appendChild(script);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.__injected === undefined")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))
