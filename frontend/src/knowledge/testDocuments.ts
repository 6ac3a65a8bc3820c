/** Documents as the API returns them, for tests. */
import type { Document } from "./documentProgress";

export function makeDocument(overrides: Partial<Document> = {}): Document {
  return {
    id: "doc-1",
    knowledge_base_id: "kb-1",
    filename: "shared-mime-info-spec.pdf",
    file_type: "pdf",
    size_bytes: 211_456,
    status: "running",
    stage: "embedding",
    pages_extracted: 17,
    chunks_embedded: 30,
    chunks_total: 80,
    percentage: 43.8,
    eta_seconds: 95,
    error: null,
    workflow_id: "ingest-doc-1",
    created_at: "2025-01-01T00:00:00Z",
    finished_at: null,
    ...overrides,
  };
}
