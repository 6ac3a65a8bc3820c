/** Sizes, durations and stages as people read them. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "45 s", "3 min 20 s", "1 h 5 min"; under a second reads "< 1 s". */
export function formatEta(seconds: number): string {
  if (seconds < 1) return "< 1 s";
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) {
    const rest = total % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

const STAGES: Record<string, string> = {
  queued: "Waiting for a worker",
  extracting: "Extracting text",
  chunking: "Splitting into chunks",
  embedding: "Embedding chunks",
  completed: "Ingested",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function stageLabel(stage: string): string {
  return STAGES[stage] ?? stage;
}

export function formatPercentage(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}
