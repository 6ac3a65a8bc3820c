/**
 * The Builder screen for one workflow: palette, React Flow canvas, toolbar, config and chat
 * side panel, validation, save/publish/versions, undo/redo, layout, import/export.
 * Must be rendered inside a `ReactFlowProvider`, keyed by workflow id.
 *
 * This component only composes: the canvas's editing (`useCanvasEditing`), the draft on the
 * server (`useGraphPersistence`), the last validation (`useValidationState`), import/export
 * (`useGraphFile`), the unsaved-changes guard (`useLeaveGuard`), keyboard shortcuts
 * (`useBuilderShortcuts`) and the side panel (`useSidePanel`, `SidePanel`).
 */
import "@xyflow/react/dist/style.css";

import { Box, useMediaQuery, useTheme } from "@mui/material";
import { useReactFlow } from "@xyflow/react";
import { useMemo, useRef, useState } from "react";

import type { Schemas } from "../api/client";
import { useConnectionList } from "../connections/useConnections";
import { useKnowledgeBaseList } from "../knowledge/useKnowledgeBases";
import { Canvas } from "./Canvas";
import { BuilderContext, problemsByNode } from "./context";
import { normalizeGraph, withoutLegacyFields } from "./graphModel";
import { LeaveDialog } from "./LeaveDialog";
import { NoticeSnackbar, type Notice } from "./Notice";
import { Palette } from "./Palette";
import { catalogueOf, type Component } from "./ports";
import { PublishDialog } from "./PublishDialog";
import { SidePanel } from "./SidePanel";
import { Toolbar } from "./Toolbar";
import { useBuilderShortcuts } from "./useBuilderShortcuts";
import { useCanvasEditing } from "./useCanvasEditing";
import { useGraphFile } from "./useGraphFile";
import { useGraphPersistence } from "./useGraphPersistence";
import { useLeaveGuard } from "./useLeaveGuard";
import { useSidePanel } from "./useSidePanel";
import { useValidationState } from "./useValidationState";
import { ValidationResult } from "./ValidationResult";
import { VersionsDialog } from "./VersionsDialog";

const PALETTE_WIDTH = 216;

const LEGACY_NOTICE =
  "This graph named a server URL or a collection, which graphs can no longer do; they were " +
  "removed. Choose a connection and a knowledge base where needed, then save.";

export interface BuilderProps {
  workflow: Schemas["WorkflowDetail"];
  components: Component[];
}

export function Builder({ workflow, components }: BuilderProps) {
  const workflowId = workflow.id;
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down("md"));
  const { fitView } = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const importRef = useRef<HTMLInputElement>(null);
  const [dialog, setDialog] = useState<"publish" | "versions" | null>(null);

  // The draft as the server holds it, and as the canvas starts: without the fields graphs
  // may no longer carry (a draft from before connections), so it can be saved again.
  const savedGraph = useMemo(() => normalizeGraph(workflow.graph), [workflow.graph]);
  const initialGraph = useMemo(() => withoutLegacyFields(savedGraph), [savedGraph]);
  const [notice, setNotice] = useState<Notice>(() =>
    initialGraph === savedGraph ? null : { severity: "warning", message: LEGACY_NOTICE },
  );
  const catalogue = useMemo(() => catalogueOf(components), [components]);
  const panel = useSidePanel(narrow);
  const editing = useCanvasEditing({
    initialGraph,
    catalogue,
    canvasRef,
    notify: setNotice,
    onNodeAdded: panel.showNode,
  });
  const validation = useValidationState();
  const persistence = useGraphPersistence({
    workflow,
    graph: editing.graph,
    initialGraph: savedGraph,
    validation,
    notify: setNotice,
  });
  const file = useGraphFile({
    graph: editing.graph,
    workflowName: workflow.name,
    catalogue,
    replaceGraph: editing.replaceGraph,
    isSaved: persistence.isSaved,
    onReplaced: validation.clear,
    notify: setNotice,
  });
  const guard = useLeaveGuard(persistence.dirty);
  // The save's error is shown by the save mutation (and in the leave dialog).
  const saveQuietly = () => void persistence.saveNow().catch(() => undefined);
  useBuilderShortcuts({ onSave: saveQuietly, onUndo: editing.undo, onRedo: editing.redo });

  // A graph may only name knowledge bases of its own workspace.
  const knowledgeBases = useKnowledgeBaseList(workflow.workspace_id);
  const connections = useConnectionList();
  const knowledgeBaseNames = useMemo(
    () => new Map((knowledgeBases.data ?? []).map((kb) => [kb.id, kb.name])),
    [knowledgeBases.data],
  );
  const problemMap = useMemo(() => problemsByNode(validation.problems), [validation.problems]);
  const chatNodes = useMemo(
    () => new Map(editing.graph.nodes.map((n) => [n.id, { type: n.type, config: n.config }])),
    [editing.graph.nodes],
  );
  const context = useMemo(
    () => ({ catalogue, problems: problemMap, knowledgeBaseNames }),
    [catalogue, problemMap, knowledgeBaseNames],
  );

  const selectedNode = editing.selectedNode;
  const restored = (detail: Schemas["WorkflowDetail"], number: number) => {
    const saved = normalizeGraph(detail.graph);
    const graph = withoutLegacyFields(saved);
    editing.replaceGraph(graph);
    persistence.markSaved(saved);
    validation.clear();
    setDialog(null);
    setNotice(
      graph === saved
        ? { severity: "success", message: `Restored version ${number} into the draft` }
        : { severity: "warning", message: `Restored version ${number} into the draft. ${LEGACY_NOTICE}` },
    );
    requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1 }));
  };

  return (
    <BuilderContext.Provider value={context}>
      <Box sx={{ flex: 1, position: "relative", minHeight: 520 }}>
        <Box sx={{ position: "absolute", inset: 0, display: "flex", flexDirection: "column" }}>
          <Toolbar
            name={workflow.name}
            latestVersion={persistence.latestVersion}
            dirty={persistence.dirty}
            saving={persistence.save.isPending}
            validating={persistence.validate.isPending}
            canUndo={editing.canUndo}
            canRedo={editing.canRedo}
            panelOpen={panel.open}
            onUndo={editing.undo}
            onRedo={editing.redo}
            onLayout={editing.autoLayout}
            onImport={() => importRef.current?.click()}
            onExport={file.exportGraph}
            onValidate={() => persistence.validate.mutate()}
            onSave={() => persistence.save.mutate(editing.graph)}
            onPublish={() => setDialog("publish")}
            onVersions={() => setDialog("versions")}
            onTogglePanel={panel.toggle}
          />
          <input
            ref={importRef}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="import-input"
            onChange={(e) => {
              const picked = e.target.files?.[0];
              e.target.value = "";
              if (picked) void file.importFile(picked);
            }}
          />
          <ValidationResult
            saveError={persistence.save.error}
            validateError={persistence.validate.error}
            validation={validation.validation}
            problems={validation.problems}
            onSelectNode={editing.select}
            onDismiss={validation.dismiss}
            onClear={validation.clear}
          />
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
                onAdd={(type) => editing.addNode(type)}
                horizontal={narrow}
              />
            </Box>
            <Canvas
              canvasRef={canvasRef}
              editing={editing}
              fitView={initialGraph.nodes.length > 0}
              narrow={narrow}
              onNodeClick={panel.showNode}
              onNodeDoubleClick={panel.openNode}
            />
            <SidePanel
              narrow={narrow}
              panel={panel}
              workflowId={workflowId}
              ensureSaved={persistence.ensureSaved}
              nodes={chatNodes}
              config={{
                node: selectedNode,
                selectedCount: editing.selectedCount,
                component: selectedNode ? catalogue.get(selectedNode.data.componentType) : undefined,
                problems: selectedNode ? (problemMap.get(selectedNode.id) ?? []) : [],
                knowledgeBases: {
                  data: knowledgeBases.data,
                  loading: knowledgeBases.isPending,
                  error: knowledgeBases.error,
                },
                connections: {
                  data: connections.data,
                  loading: connections.isPending,
                  error: connections.error,
                },
                onConfig: (field, value) => selectedNode && editing.setConfig(selectedNode.id, field, value),
                onPolicy: (field, value) => selectedNode && editing.setPolicy(selectedNode.id, field, value),
                onDelete: () => selectedNode && editing.removeNode(selectedNode.id),
              }}
            />
          </Box>
        </Box>
      </Box>
      <NoticeSnackbar notice={notice} onClose={() => setNotice(null)} />
      {dialog === "publish" ? (
        <PublishDialog dirty={persistence.dirty} onClose={() => setDialog(null)} onPublish={persistence.publish} />
      ) : null}
      {dialog === "versions" ? (
        <VersionsDialog
          workflowId={workflowId}
          dirty={persistence.dirty}
          onClose={() => setDialog(null)}
          onRestored={restored}
        />
      ) : null}
      <LeaveDialog
        open={guard.asking}
        saveError={persistence.save.error}
        onStay={guard.stay}
        onLeave={guard.leave}
        onSaveAndLeave={() =>
          void persistence
            .saveNow()
            .then(guard.leave)
            .catch(() => undefined)
        }
      />
    </BuilderContext.Provider>
  );
}
