import { createTheme } from "@mui/material/styles";

/** The seed's node colours, by component type. */
export const NODE_COLORS: Record<string, string> = {
  user_query: "#4CAF50",
  knowledge_base: "#2196F3",
  llm_engine: "#FF9800",
  output: "#9C27B0",
  web_search: "#00897B",
};

export const theme = createTheme({
  palette: { primary: { main: "#3F51B5" }, background: { default: "#F6F7FB" } },
  shape: { borderRadius: 8 },
});
