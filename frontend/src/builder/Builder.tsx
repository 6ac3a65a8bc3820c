/**
 * The Builder screen for one workflow: palette, React Flow canvas, toolbar, config and chat
 * side panel, validation, save/publish/versions, undo/redo, layout, import/export.
 * Must be rendered inside a `ReactFlowProvider`, keyed by workflow id.
 */
import "@xyflow/react/dist/style.css";

import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Drawer,
  IconButton,
  Link,
  Snackbar,
  Tab,
  Tabs,
  Typography,
  useMediaQuery,
  useTheme,
} from "@mui/material";
import CloseIcon from "@mui/icons-material/Close";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type NodeTypes,
  type OnConnectEnd,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type DragEvent } from "react";
import { useBlocker, type BlockerFunction } from "react-router-dom";

import { ApiError, api, unwrap, type Schemas } from "../api/client";
import { ChatPanel } from "../chat/ChatPanel";
import { ErrorAlert } from "../components/ErrorAlert";
import { builderReducer, initialState } from "./builderState";
import { ConfigPanel } from "./ConfigPanel";
import { BuilderContext, problemsByNode, problemsOf, type Problem } from "./context";
import {
  canonicalJson,
  flowToGraph,
  nextNodeId,
  normalizeGraph,
  parseGraphJson,
  roundPosition,
  type FlowNode,
  type GraphDoc,
} from "./graphModel";
import { canRedo, canUndo } from "./history";
import { layoutPositions } from "./layout";
import { componentColor, NodeCard, NODE_WIDTH } from "./NodeCard";
import { DRAG_TYPE, Palette } from "./Palette";
import { catalogueOf, connectionProblem, findPort, portColor, sameSideProblem, type Component } from "./ports";
import { defaultConfig, type JsonSchema } from "./schemaFields";
import { Toolbar } from "./Toolbar";
import { PublishDialog, versionsKey, VersionsDialog } from "./VersionsDialog";

const NODE_TYPES: NodeTypes = { component: NodeCard };
const PANEL_WIDTH = 360;
const PALETTE_WIDTH = 216;

type Notice = { severity: "success" | "info" | "warning" | "error"; message: string } | null;
type Validation = { ok: true; steps: string[] } | { ok: false; message: string } | null;

export interface BuilderProps {
  workflow: Schemas["WorkflowDetail"];
  components: Component[];
}

function isTextInput(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["range", "checkbox", "radio", "button", "submit"].includes(type);
}

function fileName(name: string): string {
  return (name.trim().replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-|-$/g, "") || "workflow") + ".graph.json";
}

export function Builder({ workflow, components }: BuilderProps) {
  const workflowId = workflow.id;
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down("md"));
  const queryClient = useQueryClient();
  const { screenToFlowPosition, fitView } = useReactFlow();

  const initialGraph = useMemo(() => normalizeGraph(workflow.graph), [workflow.graph]);
  const [state, dispatch] = useReducer(builderReducer, initialGraph, initialState);
  const [savedJson, setSavedJson] = useState(() => canonicalJson(initialGraph));
  const [latestVersion, setLatestVersion] = useState(workflow.latest_version ?? null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validation, setValidation] = useState<Validation>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [panelOpen, setPanelOpen] = useState(!narrow);
  const [tab, setTab] = useState<"node" | "chat">("node");
  const [chatOpened, setChatOpened] = useState(false);
  const [dialog, setDialog] = useState<"publish" | "versions" | null>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const importRef = useRef<HTMLInputElement>(null);
  const bypassGuard = useRef(false);

  const catalogue = useMemo(() => catalogueOf(components), [components]);
  const graph = useMemo(() => flowToGraph(state.nodes, state.edges), [state.nodes, state.edges]);
  const dirty = useMemo(() => canonicalJson(graph) !== savedJson, [graph, savedJson]);
  const graphRef = useRef<GraphDoc>(graph);
  graphRef.current = graph;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const knowledgeBases = useQuery({
    queryKey: ["knowledge-bases"],
    queryFn: () => unwrap(api.GET("/api/v1/knowledge-bases")),
  });
  const knowledgeBaseNames = useMemo(
    () => new Map((knowledgeBases.data ?? []).map((kb) => [kb.id, kb.name])),
    [knowledgeBases.data],
  );
  const problemMap = useMemo(() => problemsByNode(problems), [problems]);
  const context = useMemo(
    () => ({ catalogue, problems: problemMap, knowledgeBaseNames }),
    [catalogue, problemMap, knowledgeBaseNames],
  );

  // ---- saving, validating, publishing -------------------------------------------------

  const save = useMutation({
    mutationFn: async () => {
      const sent = graphRef.current;
      await unwrap(
        api.PUT("/api/v1/workflows/{workflow_id}/graph", {
          params: { path: { workflow_id: workflowId } },
          body: sent,
        }),
      );
      return sent;
    },
    onSuccess: (sent) => {
      setSavedJson(canonicalJson(sent));
      void queryClient.invalidateQueries({ queryKey: ["workflows"] });
    },
  });
  const saveAsync = save.mutateAsync;
  const saveNow = useCallback(async () => {
    await saveAsync();
  }, [saveAsync]);
  const ensureSaved = useCallback(async () => {
    if (dirtyRef.current) await saveAsync();
  }, [saveAsync]);

  const showProblems = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.code === "graph_invalid") {
      const found = problemsOf(err.details);
      setProblems(found);
      setValidation({ ok: false, message: err.message });
      return true;
    }
    return false;
  }, []);

  const validate = useMutation({
    mutationFn: async () => {
      await ensureSaved();
      return unwrap(
        api.GET("/api/v1/workflows/{workflow_id}/validate", { params: { path: { workflow_id: workflowId } } }),
      );
    },
    onSuccess: (result) => {
      setProblems([]);
      setValidation({ ok: true, steps: result.steps });
    },
    onError: (err) => {
      if (!showProblems(err)) setValidation(null);
    },
  });

  const publish = useCallback(
    async (note: string) => {
      await ensureSaved();
      try {
        const version = await unwrap(
          api.POST("/api/v1/workflows/{workflow_id}/versions", {
            params: { path: { workflow_id: workflowId } },
            body: { note },
          }),
        );
        setLatestVersion(version.number);
        setProblems([]);
        setValidation(null);
        setNotice({ severity: "success", message: `Published version ${version.number}` });
        void queryClient.invalidateQueries({ queryKey: versionsKey(workflowId) });
        void queryClient.invalidateQueries({ queryKey: ["workflows"] });
        return version;
      } catch (err) {
        showProblems(err);
        throw err;
      }
    },
    [ensureSaved, workflowId, queryClient, showProblems],
  );

  // ---- canvas editing -----------------------------------------------------------------

  const nodeRefs = useMemo(
    () => state.nodes.map((n) => ({ id: n.id, type: n.data.componentType })),
    [state.nodes],
  );
  const refuse = useCallback((message: string) => setNotice({ severity: "warning", message }), []);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => connectionProblem(catalogue, nodeRefs, graph.edges, c) === null,
    [catalogue, nodeRefs, graph.edges],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const problem = connectionProblem(catalogue, nodeRefs, graph.edges, c);
      if (problem) return refuse(problem);
      dispatch({
        kind: "connect",
        edge: { source: c.source, source_handle: c.sourceHandle ?? "", target: c.target, target_handle: c.targetHandle ?? "" },
      });
    },
    [catalogue, nodeRefs, graph.edges, refuse],
  );

  const onConnectEnd: OnConnectEnd = useCallback(
    (_event, end: FinalConnectionState) => {
      if (end.isValid !== false || !end.fromHandle || !end.toHandle) return;
      const from = end.fromHandle;
      const to = end.toHandle;
      if (from.nodeId === to.nodeId && from.id === to.id) return;
      if (from.type === to.type) return refuse(sameSideProblem(from.type));
      const [src, dst] = from.type === "source" ? [from, to] : [to, from];
      const problem = connectionProblem(catalogue, nodeRefs, graph.edges, {
        source: src.nodeId,
        sourceHandle: src.id ?? null,
        target: dst.nodeId,
        targetHandle: dst.id ?? null,
      });
      refuse(problem ?? "That connection is not allowed");
    },
    [catalogue, nodeRefs, graph.edges, refuse],
  );

  const addNode = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const component = catalogue.get(type);
      if (!component) return refuse(`Unknown component “${type}”`);
      let position = at;
      if (!position) {
        const rect = canvasRef.current?.getBoundingClientRect();
        const centre = rect
          ? screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
          : { x: 0, y: 0 };
        position = { x: centre.x - NODE_WIDTH / 2, y: centre.y - 60 };
        // Do not stack new nodes exactly on top of each other.
        while (state.nodes.some((n) => Math.abs(n.position.x - position!.x) < 10 && Math.abs(n.position.y - position!.y) < 10)) {
          position = { x: position.x + 30, y: position.y + 30 };
        }
      }
      dispatch({
        kind: "addNode",
        id: nextNodeId(type, state.nodes.map((n) => n.id)),
        componentType: type,
        position: roundPosition(position),
        config: defaultConfig(component.config_schema as JsonSchema),
      });
      setTab("node");
    },
    [catalogue, refuse, screenToFlowPosition, state.nodes],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: point.x - 40, y: point.y - 20 });
    },
    [addNode, screenToFlowPosition],
  );

  const selected = state.nodes.filter((n) => n.selected);
  const selectedNode: FlowNode | null = selected.length === 1 ? selected[0] : null;

  const undoAction = useCallback(() => dispatch({ kind: "undo" }), []);
  const redoAction = useCallback(() => dispatch({ kind: "redo" }), []);

  const autoLayout = useCallback(() => {
    if (!state.nodes.length) return;
    const positions = layoutPositions(
      state.nodes.map((n) => ({ id: n.id, width: n.measured?.width, height: n.measured?.height })),
      state.edges,
    );
    dispatch({ kind: "setPositions", positions });
    requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1, duration: 300 }));
  }, [state.nodes, state.edges, fitView]);

  const exportGraph = useCallback(() => {
    const blob = new Blob([JSON.stringify(graphRef.current, null, 2) + "\n"], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName(workflow.name);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, [workflow.name]);

  const importFile = useCallback(
    async (file: File) => {
      let text: string;
      try {
        text = await file.text();
      } catch (err) {
        return setNotice({ severity: "error", message: `Could not read ${file.name}: ${String(err)}` });
      }
      const parsed = parseGraphJson(text);
      if ("error" in parsed) {
        return setNotice({ severity: "error", message: `Could not import ${file.name}: ${parsed.error}` });
      }
      dispatch({ kind: "replaceGraph", graph: parsed.graph });
      setProblems([]);
      setValidation(null);
      const unknown = [...new Set(parsed.graph.nodes.map((n) => n.type).filter((t) => !catalogue.has(t)))];
      setNotice(
        unknown.length
          ? { severity: "warning", message: `Imported, but these component types are unknown: ${unknown.join(", ")}` }
          : {
              severity: "success",
              message:
                `Imported ${parsed.graph.nodes.length} nodes and ${parsed.graph.edges.length} edges` +
                (canonicalJson(parsed.graph) === savedJson ? " (the same as the saved draft)" : " — save to keep them"),
            },
      );
      requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1 }));
    },
    [catalogue, fitView, savedJson],
  );

  // ---- keyboard shortcuts, leaving with unsaved changes ---------------------------------

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === "s") {
        event.preventDefault();
        void saveNow().catch(() => undefined); // the error is shown by the save mutation
        return;
      }
      if (isTextInput(event.target)) return; // the field's own undo
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        undoAction();
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        redoAction();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [saveNow, undoAction, redoAction]);

  // Any navigation inside the app (links, the browser's Back and Forward) asks first while
  // there are unsaved changes; so does the app bar's "Log out" button, which does not
  // navigate (the logged-out app replaces the page); closing or reloading the tab gets the
  // browser's own prompt.
  const blocker = useBlocker(
    useCallback<BlockerFunction>(
      ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
      [dirty],
    ),
  );
  const [leavingButton, setLeavingButton] = useState<HTMLElement | null>(null);
  const leaving = blocker.state === "blocked" || leavingButton !== null;

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    const onClick = (event: MouseEvent) => {
      if (bypassGuard.current || event.button !== 0) return;
      const target = event.target instanceof Element ? event.target : null;
      const button = target?.closest("header button") as HTMLElement | null;
      if (!button) return;
      event.preventDefault();
      event.stopPropagation();
      setLeavingButton(button);
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty]);

  const stay = useCallback(() => {
    if (blocker.state === "blocked") blocker.reset();
    setLeavingButton(null);
  }, [blocker]);

  const leave = useCallback(() => {
    if (blocker.state === "blocked") {
      blocker.proceed();
      return;
    }
    const element = leavingButton;
    setLeavingButton(null);
    if (!element) return;
    bypassGuard.current = true;
    try {
      element.click();
    } finally {
      bypassGuard.current = false;
    }
  }, [blocker, leavingButton]);

  // ---- rendering ----------------------------------------------------------------------

  const styledEdges = useMemo(
    () =>
      state.edges.map((e) => {
        const sourceType = nodeRefs.find((n) => n.id === e.source)?.type;
        const port = findPort(catalogue, sourceType, "output", e.sourceHandle);
        const color = portColor(port?.type);
        return { ...e, style: { stroke: color, strokeWidth: e.selected ? 3 : 2 } };
      }),
    [state.edges, nodeRefs, catalogue],
  );

  const generalProblems = problems;
  const panel = (
    <Box sx={{ display: "flex", flexDirection: "column", height: "100%", minHeight: 0 }}>
      <Box sx={{ display: "flex", alignItems: "center", borderBottom: 1, borderColor: "divider" }}>
        <Tabs
          value={tab}
          onChange={(_, value) => {
            setTab(value);
            if (value === "chat") setChatOpened(true);
          }}
          sx={{ flexGrow: 1, minHeight: 40, "& .MuiTab-root": { minHeight: 40 } }}
        >
          <Tab label="Configure" value="node" />
          <Tab label="Chat" value="chat" />
        </Tabs>
        <IconButton size="small" aria-label="Close side panel" onClick={() => setPanelOpen(false)} sx={{ mr: 0.5 }}>
          <CloseIcon fontSize="small" />
        </IconButton>
      </Box>
      <Box hidden={tab !== "node"} sx={{ flex: 1, minHeight: 0, overflow: "auto" }}>
        <ConfigPanel
          node={selectedNode}
          selectedCount={selected.length}
          component={selectedNode ? catalogue.get(selectedNode.data.componentType) : undefined}
          problems={selectedNode ? (problemMap.get(selectedNode.id) ?? []) : []}
          knowledgeBases={{ data: knowledgeBases.data, loading: knowledgeBases.isPending, error: knowledgeBases.error }}
          onConfig={(field, value) => selectedNode && dispatch({ kind: "setConfig", id: selectedNode.id, field, value })}
          onPolicy={(field, value) => selectedNode && dispatch({ kind: "setPolicy", id: selectedNode.id, field, value })}
          onDelete={() => selectedNode && dispatch({ kind: "removeNode", id: selectedNode.id })}
        />
      </Box>
      {chatOpened ? (
        <Box
          hidden={tab !== "chat"}
          sx={{ flex: 1, minHeight: 0, display: tab === "chat" ? "flex" : "none", flexDirection: "column" }}
        >
          <Box sx={{ flex: 1, minHeight: 0, overflow: "auto" }}>
            {/* Test mode: the saved draft; the panel offers published versions too. */}
            <ChatPanel workflowId={workflowId} version="draft" />
          </Box>
        </Box>
      ) : null}
    </Box>
  );

  return (
    <BuilderContext.Provider value={context}>
      <Box sx={{ flex: 1, position: "relative", minHeight: 520 }}>
        <Box sx={{ position: "absolute", inset: 0, display: "flex", flexDirection: "column" }}>
          <Toolbar
            name={workflow.name}
            latestVersion={latestVersion}
            dirty={dirty}
            saving={save.isPending}
            validating={validate.isPending}
            canUndo={canUndo(state.history)}
            canRedo={canRedo(state.history)}
            panelOpen={panelOpen}
            onUndo={undoAction}
            onRedo={redoAction}
            onLayout={autoLayout}
            onImport={() => importRef.current?.click()}
            onExport={exportGraph}
            onValidate={() => validate.mutate()}
            onSave={() => save.mutate()}
            onPublish={() => setDialog("publish")}
            onVersions={() => setDialog("versions")}
            onTogglePanel={() => setPanelOpen((open) => !open)}
          />
          <input
            ref={importRef}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="import-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (file) void importFile(file);
            }}
          />
          <Box sx={{ px: 1.5 }}>
            <ErrorAlert error={save.error} title="Could not save" />
            {validate.error && !(validate.error instanceof ApiError && validate.error.code === "graph_invalid") ? (
              <ErrorAlert error={validate.error} title="Could not validate" />
            ) : null}
            {validation?.ok ? (
              <Alert severity="success" sx={{ my: 1 }} onClose={() => setValidation(null)} data-testid="validation-result">
                The workflow is valid: {validation.steps.length} steps ({validation.steps.join(" → ")}).
              </Alert>
            ) : null}
            {validation && !validation.ok ? (
              <Alert
                severity="error"
                sx={{ my: 1, maxHeight: 150, overflow: "auto" }}
                onClose={() => {
                  setValidation(null);
                  setProblems([]);
                }}
                data-testid="validation-result"
              >
                <AlertTitle sx={{ mb: 0 }}>
                  {generalProblems.length} problem{generalProblems.length === 1 ? "" : "s"} — the nodes at fault are outlined in red
                </AlertTitle>
                {generalProblems.map((p, i) => (
                  <Box key={i} component="div" sx={{ fontSize: 13 }}>
                    {p.node_id ? (
                      <Link component="button" type="button" onClick={() => dispatch({ kind: "select", id: p.node_id! })} sx={{ mr: 0.5, verticalAlign: "baseline" }}>
                        {p.node_id}
                      </Link>
                    ) : null}
                    {p.message}
                  </Box>
                ))}
              </Alert>
            ) : null}
          </Box>
          <Box sx={{ flex: 1, minHeight: 0, display: "flex", flexDirection: narrow ? "column" : "row" }}>
            <Box
              sx={{
                ...(narrow
                  ? { borderBottom: 1 }
                  : { width: PALETTE_WIDTH, flexShrink: 0, borderRight: 1, overflow: "auto" }),
                borderColor: "divider",
                bgcolor: "background.default",
              }}
            >
              <Palette
                components={components}
                loading={false}
                error={null}
                onAdd={(type) => addNode(type)}
                horizontal={narrow}
              />
            </Box>
            <Box
              ref={canvasRef}
              sx={{ flex: 1, minWidth: 0, minHeight: 0, position: "relative" }}
              onDragOver={onDragOver}
              onDrop={onDrop}
              data-testid="canvas"
            >
              <ReactFlow<FlowNode>
                nodes={state.nodes}
                edges={styledEdges}
                nodeTypes={NODE_TYPES}
                onNodesChange={(changes) => dispatch({ kind: "nodesChange", changes })}
                onEdgesChange={(changes) => dispatch({ kind: "edgesChange", changes })}
                onConnect={onConnect}
                onConnectEnd={onConnectEnd}
                isValidConnection={isValidConnection}
                onNodeClick={() => setTab("node")}
                onNodeDoubleClick={() => {
                  setTab("node");
                  setPanelOpen(true);
                }}
                deleteKeyCode={["Delete", "Backspace"]}
                // Fit a loaded graph; an empty canvas keeps its viewport so drops land where they fall.
                fitView={initialGraph.nodes.length > 0}
                fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
                minZoom={0.2}
                style={{ position: "absolute", inset: 0 }}
              >
                <Background gap={16} />
                <Controls />
                {!narrow ? (
                  <MiniMap
                    pannable
                    zoomable
                    style={{ width: 150, height: 100 }}
                    nodeColor={(n) => componentColor((n as FlowNode).data.componentType)}
                    ariaLabel="Mini map"
                  />
                ) : null}
              </ReactFlow>
              {state.nodes.length === 0 ? (
                <Box
                  sx={{
                    position: "absolute",
                    inset: 0,
                    display: "grid",
                    placeItems: "center",
                    pointerEvents: "none",
                    p: 3,
                  }}
                >
                  <Typography color="text.secondary" sx={{ textAlign: "center", maxWidth: 380 }}>
                    This workflow is empty. Drag components here from the palette (or press + on one), then
                    connect an output to an input — for example User Query → Knowledge Base → LLM Engine → Output.
                  </Typography>
                </Box>
              ) : null}
            </Box>
            {!narrow && panelOpen ? (
              <Box
                component="aside"
                aria-label="Side panel"
                sx={{ width: PANEL_WIDTH, flexShrink: 0, borderLeft: 1, borderColor: "divider", bgcolor: "background.paper", minHeight: 0 }}
              >
                {panel}
              </Box>
            ) : null}
          </Box>
        </Box>
      </Box>
      {narrow ? (
        <Drawer
          anchor="right"
          open={panelOpen}
          onClose={() => setPanelOpen(false)}
          keepMounted
          slotProps={{ paper: { sx: { width: "min(420px, 100vw)" } } }}
        >
          {panel}
        </Drawer>
      ) : null}
      <Snackbar
        open={notice !== null}
        autoHideDuration={notice?.severity === "error" ? 10000 : 6000}
        onClose={(_, reason) => reason !== "clickaway" && setNotice(null)}
        anchorOrigin={{ vertical: "bottom", horizontal: "center" }}
      >
        {notice ? (
          <Alert severity={notice.severity} onClose={() => setNotice(null)} variant="filled" data-testid="notice">
            {notice.message}
          </Alert>
        ) : undefined}
      </Snackbar>
      {dialog === "publish" ? (
        <PublishDialog dirty={dirty} onClose={() => setDialog(null)} onPublish={publish} />
      ) : null}
      {dialog === "versions" ? (
        <VersionsDialog
          workflowId={workflowId}
          dirty={dirty}
          onClose={() => setDialog(null)}
          onRestored={(detail, number) => {
            const restored = normalizeGraph(detail.graph);
            dispatch({ kind: "replaceGraph", graph: restored });
            setSavedJson(canonicalJson(restored));
            setProblems([]);
            setValidation(null);
            setDialog(null);
            setNotice({ severity: "success", message: `Restored version ${number} into the draft` });
            requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1 }));
          }}
        />
      ) : null}
      <Dialog open={leaving} onClose={stay}>
        <DialogTitle>Leave without saving?</DialogTitle>
        <DialogContent>
          <Typography>This workflow has unsaved changes. They are lost if you leave now.</Typography>
          <ErrorAlert error={save.error} title="Could not save" />
        </DialogContent>
        <DialogActions>
          <Button onClick={stay}>Stay</Button>
          <Button color="error" onClick={leave}>
            Leave without saving
          </Button>
          <Button
            variant="contained"
            onClick={() =>
              void saveNow()
                .then(leave)
                .catch(() => undefined)
            }
          >
            Save and leave
          </Button>
        </DialogActions>
      </Dialog>
    </BuilderContext.Provider>
  );
}

