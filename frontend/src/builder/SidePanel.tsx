/**
 * Beside the canvas: the selected node's settings ("Configure") and the chat with the
 * draft ("Chat"); a column on wide screens, a drawer on narrow ones.
 */
import CloseIcon from "@mui/icons-material/Close";
import { Box, Drawer, IconButton, Tab, Tabs } from "@mui/material";

import { ChatPanel } from "../chat/ChatPanel";
import type { StepNode } from "../chat/stepLine";
import { ConfigPanel, type ConfigPanelProps } from "./ConfigPanel";
import type { SidePanelState, SidePanelTab } from "./useSidePanel";

const PANEL_WIDTH = 360;

export interface SidePanelProps {
  narrow: boolean;
  panel: SidePanelState;
  workflowId: string;
  config: ConfigPanelProps;
  /** Before a chat message to the draft: save the canvas if it has unsaved changes. */
  ensureSaved: () => Promise<void>;
  /** The canvas's nodes by id (the chat names the step running). */
  nodes: ReadonlyMap<string, StepNode>;
}

export function SidePanel({ narrow, panel, workflowId, config, ensureSaved, nodes }: SidePanelProps) {
  const content = (
    <Box sx={{ display: "flex", flexDirection: "column", height: "100%", minHeight: 0 }}>
      <Box sx={{ display: "flex", alignItems: "center", borderBottom: 1, borderColor: "divider" }}>
        <Tabs
          value={panel.tab}
          onChange={(_, value: SidePanelTab) => panel.selectTab(value)}
          sx={{ flexGrow: 1, minHeight: 40, "& .MuiTab-root": { minHeight: 40 } }}
        >
          <Tab label="Configure" value="node" />
          <Tab label="Chat" value="chat" />
        </Tabs>
        <IconButton size="small" aria-label="Close side panel" onClick={panel.close} sx={{ mr: 0.5 }}>
          <CloseIcon fontSize="small" />
        </IconButton>
      </Box>
      <Box hidden={panel.tab !== "node"} sx={{ flex: 1, minHeight: 0, overflow: "auto" }}>
        <ConfigPanel {...config} />
      </Box>
      {panel.chatOpened ? (
        <Box
          hidden={panel.tab !== "chat"}
          sx={{ flex: 1, minHeight: 0, display: panel.tab === "chat" ? "flex" : "none", flexDirection: "column" }}
        >
          <Box sx={{ flex: 1, minHeight: 0, overflow: "auto" }}>
            {/* Test mode: the canvas (saved first); the panel offers published versions too. */}
            <ChatPanel workflowId={workflowId} version="draft" prepareDraft={ensureSaved} nodes={nodes} />
          </Box>
        </Box>
      ) : null}
    </Box>
  );

  if (narrow) {
    return (
      <Drawer
        anchor="right"
        open={panel.open}
        onClose={panel.close}
        keepMounted
        slotProps={{ paper: { sx: { width: "min(420px, 100vw)" } } }}
      >
        {content}
      </Drawer>
    );
  }
  return panel.open ? (
    <Box
      component="aside"
      aria-label="Side panel"
      sx={{ width: PANEL_WIDTH, flexShrink: 0, borderLeft: 1, borderColor: "divider", bgcolor: "background.paper", minHeight: 0 }}
    >
      {content}
    </Box>
  ) : null;
}
