import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ConfigForm } from "./configForm";
import { ConfigPanel } from "./ConfigPanel";
import { component } from "./fixtures/catalogue";
import type { Config, FlowNode } from "./graphModel";
import { defaultConfig, fieldError, fieldsFromSchema, type JsonSchema } from "./schemaFields";

afterEach(cleanup);

const schemaOf = (type: string) => component(type).config_schema as JsonSchema;

describe("fieldsFromSchema", () => {
  it("picks a control per property of the LLM engine", () => {
    const fields = Object.fromEntries(fieldsFromSchema(schemaOf("llm_engine")).map((f) => [f.name, f]));
    // The server fills in the provider and never takes a URL from a graph.
    expect(Object.keys(fields)).not.toContain("provider");
    expect(Object.keys(fields)).not.toContain("base_url");
    expect(fields.connection).toMatchObject({ kind: "text", nullable: true, label: "Connection" });
    expect(fields.model).toMatchObject({ kind: "combo", label: "Model" });
    expect(fields.temperature).toMatchObject({ kind: "slider", min: 0, max: 2, step: 0.01, integer: false });
    expect(fields.max_tokens).toMatchObject({ kind: "number", integer: true, min: 1, max: 32000 });
    expect(fields.custom_prompt).toMatchObject({ kind: "multiline", label: "Prompt", maxLength: 10000 });
    expect(fields.use_web_search).toMatchObject({ kind: "switch", default: false });
  });

  it("reads the knowledge base and output schemas", () => {
    const kb = Object.fromEntries(fieldsFromSchema(schemaOf("knowledge_base")).map((f) => [f.name, f]));
    // A knowledge base by id only: its collection and embedding model are the server's.
    expect(Object.keys(kb)).toEqual(["knowledge_base_id", "top_k", "similarity_threshold"]);
    expect(kb.knowledge_base_id).toMatchObject({ nullable: true, label: "Knowledge base" });
    expect(kb.top_k).toMatchObject({ kind: "slider", step: 1, min: 1, max: 50 });
    const out = fieldsFromSchema(schemaOf("output"));
    expect(out.map((f) => [f.name, f.kind])).toEqual([
      ["response_format", "select"],
      ["include_metadata", "switch"],
    ]);
  });

  it("starts new nodes from the non-null defaults", () => {
    expect(defaultConfig(schemaOf("llm_engine"))).toEqual({
      model: "gpt-4o-mini",
      temperature: 0.7,
      max_tokens: 1000,
      custom_prompt: "",
      use_web_search: false,
    });
    expect(defaultConfig(schemaOf("knowledge_base"))).not.toHaveProperty("collection");
  });

  it("checks values against the schema's bounds", () => {
    const fields = Object.fromEntries(fieldsFromSchema(schemaOf("llm_engine")).map((f) => [f.name, f]));
    expect(fieldError(fields.temperature, 2.5)).toBe("At most 2");
    expect(fieldError(fields.max_tokens, 1.5)).toBe("A whole number");
    expect(fieldError(fields.connection, "Local LLM")).toBe("Not in the expected format");
    expect(fieldError(fields.connection, undefined)).toBeNull();
    expect(fieldError({ ...fields.connection, format: "uri", pattern: undefined }, "localhost")).toMatch(/URL/);
  });
});

function Harness({ initial, onChange }: { initial: Config; onChange?: (c: Config) => void }) {
  const [config, setConfig] = useState<Config>(initial);
  return (
    <ConfigForm
      fields={fieldsFromSchema(schemaOf("llm_engine"))}
      value={config}
      onChange={(name, value) => {
        const next = { ...config };
        if (value === undefined) delete next[name];
        else next[name] = value;
        setConfig(next);
        onChange?.(next);
      }}
      errors={{ max_tokens: "Node 'llm' config.max_tokens: too big." }}
    />
  );
}

describe("ConfigForm", () => {
  it("renders and edits every kind of field", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness initial={defaultConfig(schemaOf("llm_engine"))} onChange={onChange} />);

    // Slider and its number input show the temperature.
    const slider = screen.getByRole("slider", { name: "Temperature" });
    expect(slider).toHaveValue("0.7");
    const value = screen.getByLabelText("Temperature value");
    await user.clear(value);
    await user.type(value, "0.2");
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ temperature: 0.2 }));
    expect(screen.getByRole("slider", { name: "Temperature" })).toHaveValue("0.2");
    fireEvent.keyDown(screen.getByRole("slider", { name: "Temperature" }), { key: "ArrowRight" });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ temperature: 0.21 }));

    // Multiline prompt.
    const prompt = screen.getByLabelText("Prompt");
    expect(prompt.tagName).toBe("TEXTAREA");
    await user.type(prompt, "Answer briefly.");
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ custom_prompt: "Answer briefly." }));

    // Switch.
    await user.click(screen.getByRole("switch", { name: "Use web search" }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ use_web_search: true }));

    // Combo box with suggestions, free text allowed.
    const model = screen.getByRole("combobox", { name: "Model" });
    await user.clear(model);
    await user.type(model, "my-local-model");
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ model: "my-local-model" }));

    // Emptying a nullable field removes it.
    const connection = screen.getByLabelText("Connection");
    await user.type(connection, "local");
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ connection: "local" }));
    await user.clear(connection);
    expect(onChange.mock.lastCall![0]).not.toHaveProperty("connection");

    // The server's message shows on its field.
    expect(screen.getByText("Node 'llm' config.max_tokens: too big.")).toBeInTheDocument();
  }, 30_000);

  it("offers an enum's values in a select", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<ConfigForm fields={fieldsFromSchema(schemaOf("output"))} value={{}} onChange={onChange} />);
    await user.click(screen.getByRole("combobox", { name: "Response format" }));
    const listbox = screen.getByRole("listbox");
    expect(within(listbox).getAllByRole("option").map((o) => o.textContent)).toEqual(["text", "markdown", "json"]);
    await user.click(within(listbox).getByRole("option", { name: "json" }));
    expect(onChange).toHaveBeenLastCalledWith("response_format", "json");
  });
});

const KBS = [
  {
    id: "kb-1",
    workspace_id: "ws-1",
    name: "Refund policies",
    description: "",
    collection: "kb-abc",
    embedding_provider: "local" as const,
    embedding_model: "all-MiniLM-L6-v2",
    chunk_size: 800,
    chunk_overlap: 100,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
  },
];

const NO_CONNECTIONS = { data: [], loading: false, error: null };

function kbNode(config: Config): FlowNode {
  return { id: "kb_1", type: "component", position: { x: 0, y: 0 }, data: { componentType: "knowledge_base", config, policy: null } };
}

describe("ConfigPanel", () => {
  it("picks a knowledge base by id, never a collection", async () => {
    const user = userEvent.setup();
    const onConfig = vi.fn();
    const props = {
      selectedCount: 1,
      component: component("knowledge_base"),
      problems: [{ code: "unknown_knowledge_base", message: "node 'kb_1': choose a knowledge base", node_id: "kb_1", field: "config.knowledge_base_id" }],
      knowledgeBases: { data: KBS, loading: false, error: null },
      connections: NO_CONNECTIONS,
      onConfig,
      onPolicy: vi.fn(),
      onDelete: vi.fn(),
    };
    const { rerender } = render(
      <MemoryRouter>
        <ConfigPanel {...props} node={kbNode({ top_k: 4 })} />
      </MemoryRouter>,
    );
    expect(screen.getByTestId("node-problem-list")).toHaveTextContent("choose a knowledge base");
    // No way to name a collection: a knowledge base is chosen by id.
    expect(screen.queryByLabelText(/Collection/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("combobox", { name: "Knowledge base" }));
    expect(screen.getByRole("option", { name: "None chosen" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: /collection/i })).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    await user.click(screen.getByRole("combobox", { name: "Knowledge base" }));
    await user.click(screen.getByRole("option", { name: /Refund policies/ }));
    expect(onConfig).toHaveBeenCalledWith("knowledge_base_id", "kb-1");

    rerender(
      <MemoryRouter>
        <ConfigPanel {...props} problems={[]} node={kbNode({ top_k: 4, knowledge_base_id: "kb-1" })} />
      </MemoryRouter>,
    );
    expect(screen.queryByLabelText(/Collection/)).not.toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Knowledge base" })).toHaveTextContent("Refund policies");
  });

  it("edits retry and timeout overrides under Advanced", async () => {
    const user = userEvent.setup();
    const onPolicy = vi.fn();
    render(
      <MemoryRouter>
        <ConfigPanel
          node={{ ...kbNode({}), data: { componentType: "llm_engine", config: {}, policy: null } }}
          selectedCount={1}
          component={component("llm_engine")}
          problems={[]}
          knowledgeBases={{ data: [], loading: false, error: null }}
          connections={NO_CONNECTIONS}
          onConfig={vi.fn()}
          onPolicy={onPolicy}
          onDelete={vi.fn()}
        />
      </MemoryRouter>,
    );
    await user.click(screen.getByRole("button", { name: "Advanced" }));
    const timeout = screen.getByLabelText("Timeout (seconds)");
    expect(timeout).toHaveAttribute("placeholder", "Default: 120");
    await user.type(timeout, "45");
    expect(onPolicy).toHaveBeenLastCalledWith("start_to_close_seconds", 45);
    await user.type(screen.getByLabelText("Maximum attempts"), "2");
    expect(onPolicy).toHaveBeenLastCalledWith("maximum_attempts", 2);
  });

  it("says what to do when nothing is selected, and shows loading/empty knowledge bases", () => {
    const { rerender } = render(
      <MemoryRouter>
        <ConfigPanel
          node={null}
          selectedCount={0}
          component={undefined}
          problems={[]}
          knowledgeBases={{ data: undefined, loading: true, error: null }}
          connections={NO_CONNECTIONS}
          onConfig={vi.fn()}
          onPolicy={vi.fn()}
          onDelete={vi.fn()}
        />
      </MemoryRouter>,
    );
    expect(screen.getByText(/Select a node on the canvas/)).toBeInTheDocument();
    rerender(
      <MemoryRouter>
        <ConfigPanel
          node={kbNode({})}
          selectedCount={1}
          component={component("knowledge_base")}
          problems={[]}
          knowledgeBases={{ data: [], loading: false, error: null }}
          connections={NO_CONNECTIONS}
          onConfig={vi.fn()}
          onPolicy={vi.fn()}
          onDelete={vi.fn()}
        />
      </MemoryRouter>,
    );
    expect(screen.getByText(/No knowledge bases yet/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "create one" })).toHaveAttribute("href", "/knowledge-bases");
  });
});
