import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";

import type { Connection } from "../connections/useConnections";
import { ConfigPanel } from "./ConfigPanel";
import { component } from "./fixtures/catalogue";
import type { Config, FlowNode } from "./graphModel";
import { summarize } from "./NodeCard";

const CONNECTIONS: Connection[] = [
  {
    name: "openai",
    provider: "openai",
    source: "environment",
    base_url: null,
    has_key: true,
    models: [],
    allow_private_network: true,
    description: "Defined by the server's environment.",
  },
  {
    name: "gemini",
    provider: "gemini",
    source: "environment",
    base_url: null,
    has_key: false,
    models: [],
    allow_private_network: true,
    description: "Defined by the server's environment.",
  },
  {
    name: "local-llm",
    provider: "openai-compatible",
    source: "administrator",
    base_url: null,
    has_key: false,
    models: ["llama3.1", "qwen2.5"],
    allow_private_network: true,
    description: "Ollama on the GPU box",
  },
];

function llmNode(config: Config): FlowNode {
  return { id: "llm_1", type: "component", position: { x: 0, y: 0 }, data: { componentType: "llm_engine", config, policy: null } };
}

function renderPanel(config: Config, onConfig = vi.fn()) {
  const props = {
    selectedCount: 1,
    component: component("llm_engine"),
    problems: [],
    knowledgeBases: { data: [], loading: false, error: null },
    connections: { data: CONNECTIONS, loading: false, error: null },
    onConfig,
    onPolicy: vi.fn(),
    onDelete: vi.fn(),
  };
  const view = render(
    <MemoryRouter>
      <ConfigPanel {...props} node={llmNode(config)} />
    </MemoryRouter>,
  );
  const rerender = (next: Config) =>
    view.rerender(
      <MemoryRouter>
        <ConfigPanel {...props} node={llmNode(next)} />
      </MemoryRouter>,
    );
  return { onConfig, rerender };
}

describe("the LLM Engine's connection", () => {
  it("offers every connection with its provider and hints; empty is the default connection", async () => {
    const user = userEvent.setup();
    const { onConfig } = renderPanel({ model: "gpt-4o-mini" });
    expect(screen.queryByLabelText(/Base URL/)).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Provider" })).not.toBeInTheDocument();
    const select = screen.getByRole("combobox", { name: "Connection" });
    expect(select).toHaveTextContent("Default (openai)");

    await user.click(select);
    const options = within(screen.getByRole("listbox")).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Default (openai)openai",
      "openaiopenai",
      "geminigemini · no key",
      "local-llmopenai-compatible · no key · 2 models only",
    ]);
    await user.click(options[3]);
    expect(onConfig).toHaveBeenLastCalledWith("connection", "local-llm");
  });

  it("offers exactly the allowed models when the connection restricts them", async () => {
    const user = userEvent.setup();
    const { onConfig, rerender } = renderPanel({ connection: "local-llm", model: "gpt-4o-mini" });
    const model = screen.getByRole("combobox", { name: "Model" });
    expect(model.tagName).toBe("DIV"); // a select, not the free-text combo box
    expect(screen.getByText(/“local-llm” does not allow “gpt-4o-mini”/)).toBeInTheDocument();

    await user.click(model);
    const listbox = screen.getByRole("listbox");
    const enabled = within(listbox)
      .getAllByRole("option")
      .filter((o) => o.getAttribute("aria-disabled") !== "true");
    expect(enabled.map((o) => o.textContent)).toEqual(["llama3.1", "qwen2.5"]);
    await user.click(within(listbox).getByRole("option", { name: "qwen2.5" }));
    expect(onConfig).toHaveBeenLastCalledWith("model", "qwen2.5");

    rerender({ connection: "local-llm", model: "qwen2.5" });
    expect(screen.getByRole("combobox", { name: "Model" })).toHaveTextContent("qwen2.5");
    expect(screen.queryByText(/does not allow/)).not.toBeInTheDocument();

    // A connection allowing any model: free text with suggestions, as before.
    rerender({ connection: "gemini", model: "my-own-model" });
    expect(screen.getByRole("combobox", { name: "Model" }).tagName).toBe("INPUT");
    expect(screen.getByRole("combobox", { name: "Model" })).toHaveValue("my-own-model");
  });

  it("reads an empty connection as the node's legacy provider, and flags an unknown one", () => {
    const { rerender } = renderPanel({ provider: "gemini", model: "gemini-1.5-flash" });
    expect(screen.getByRole("combobox", { name: "Connection" })).toHaveTextContent("Default (gemini)");
    expect(screen.getByText(/“gemini” has no key/)).toBeInTheDocument();
    rerender({ provider: "openai-compatible", model: "llama3.1" });
    expect(screen.getByRole("combobox", { name: "Connection" })).toHaveTextContent("Default (openai-compatible)");
    expect(screen.getByText(/No connection is named “openai-compatible”: choose one/)).toBeInTheDocument();
    rerender({ connection: "gone", model: "x" });
    expect(screen.getByRole("combobox", { name: "Connection" })).toHaveTextContent("Unknown connection (gone)");
    expect(screen.getByText(/No connection is named “gone”/)).toBeInTheDocument();
  });
});

describe("an LLM node's summary", () => {
  it("names its connection and model", () => {
    expect(summarize("llm_engine", { connection: "local-llm", model: "qwen2.5", temperature: 0.2 }, new Map())).toBe(
      "local-llm · qwen2.5 · temp 0.2",
    );
    expect(summarize("llm_engine", { model: "gpt-4o-mini" }, new Map())).toBe("Default (openai) · gpt-4o-mini");
  });

  it("never shows a collection for a knowledge base node", () => {
    expect(summarize("knowledge_base", { collection: "kb-abc", top_k: 3 }, new Map())).toBe("no knowledge base chosen · top 3");
  });
});
