/** The side panel's state: open or not, its tab (the node's settings or the chat), and whether the chat has been shown. */
import { useCallback, useState } from "react";

export type SidePanelTab = "node" | "chat";

export function useSidePanel(narrow: boolean) {
  const [open, setOpen] = useState(!narrow);
  const [tab, setTab] = useState<SidePanelTab>("node");
  // The chat mounts the first time its tab is chosen, then stays (its state with it).
  const [chatOpened, setChatOpened] = useState(false);

  const selectTab = useCallback((value: SidePanelTab) => {
    setTab(value);
    if (value === "chat") setChatOpened(true);
  }, []);
  /** The node tab, as a node is clicked or added. */
  const showNode = useCallback(() => setTab("node"), []);
  /** The node tab, opening the panel (a node double-clicked). */
  const openNode = useCallback(() => {
    setTab("node");
    setOpen(true);
  }, []);
  const toggle = useCallback(() => setOpen((now) => !now), []);
  const close = useCallback(() => setOpen(false), []);

  return { open, tab, chatOpened, selectTab, showNode, openNode, toggle, close };
}

export type SidePanelState = ReturnType<typeof useSidePanel>;
