import { Box, Typography } from "@mui/material";

export function KnowledgeBasesPage() {
  return (
    <Box sx={{ p: 3 }}>
      <Typography variant="h5">Coming soon</Typography>
    </Box>
  );
}
