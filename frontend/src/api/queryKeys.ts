/**
 * Every TanStack Query key of the app, from one factory: a query and the writes that must
 * reach it (`invalidateQueries`, `setQueryData`, ...) call the same function, so they cannot
 * drift apart. No other file spells a key as a literal array.
 *
 * Keys are hierarchical and matched by prefix: `runs.all()` reaches every run query (lists,
 * details, timelines, comparisons). A workflow's detail is deliberately not under
 * `workflows.list()`: the builder edits its own copy of the graph, and refreshing the
 * dashboard's list after a save must not refetch it behind the editor's back.
 */

/** A published version number or the saved draft, as the versions diff takes them. */
export type VersionRef = number | "draft";

export const queryKeys = {
  auth: {
    /** Who the token belongs to (`GET /auth/me`). */
    me: (token: string | null) => ["auth", "me", token] as const,
  },
  components: {
    /** The component catalogue (`GET /components`). */
    list: () => ["components", "list"] as const,
  },
  workspaces: {
    /** Every workspace query: invalidated when a membership or a name changes. */
    all: () => ["workspaces"] as const,
    /** The user's workspaces with their role in each (the switcher, every role check). */
    list: () => ["workspaces", "list"] as const,
    /** A workspace with its members (the settings screen). */
    detail: (workspaceId: string) => ["workspaces", "detail", workspaceId] as const,
  },
  apiKeys: {
    /** The user's API keys, without their secrets. */
    list: () => ["api-keys", "list"] as const,
  },
  workflows: {
    /**
     * Every workflow of the user, in all their workspaces (names of runs). Also the prefix
     * of every workflow list: invalidating it refreshes each workspace's, archived or not.
     */
    list: () => ["workflows", "list"] as const,
    /** One workspace's active workflows (dashboard cards, the runs' workflow filter); under `list()`. */
    inWorkspace: (workspaceId: string) => ["workflows", "list", "workspace", workspaceId] as const,
    /** One workspace's archived workflows (the dashboard's "Archived" view); under `list()`. */
    archived: (workspaceId: string) => ["workflows", "list", "archived", workspaceId] as const,
    /** One workflow with its draft graph, as the builder opens it. */
    detail: (workflowId: string) => ["workflows", "detail", workflowId] as const,
    /** A workflow's published versions, newest first (versions dialog, chat version select). */
    versions: (workflowId: string) => ["workflows", "versions", workflowId] as const,
    /** The diff between two versions (or the saved draft). */
    diff: (workflowId: string, base: VersionRef | null, target: VersionRef) =>
      ["workflows", "diff", workflowId, base, target] as const,
  },
  runs: {
    /** Every run query: invalidated when a new run starts. */
    all: () => ["runs"] as const,
    /** The run history, filtered (pages by cursor). */
    list: (filters: Readonly<Record<string, string>>) => ["runs", "list", filters] as const,
    detail: (runId: string) => ["runs", "detail", runId] as const,
    timeline: (runId: string) => ["runs", "timeline", runId] as const,
    /** A run compared with another (its parent). */
    compare: (runId: string | null, otherRunId: string) => ["runs", "compare", runId, otherRunId] as const,
  },
  knowledgeBases: {
    /** Every knowledge base of the user; also the prefix of each workspace's list. */
    list: () => ["knowledge-bases", "list"] as const,
    /** One workspace's knowledge bases: the page's list and the builder's picker; under `list()`. */
    inWorkspace: (workspaceId: string) => ["knowledge-bases", "list", "workspace", workspaceId] as const,
    detail: (kbId: string) => ["knowledge-bases", "detail", kbId] as const,
    documents: (kbId: string) => ["knowledge-bases", "documents", kbId] as const,
  },
  connections: {
    /** Every provider connection: the administrators' page and the builder's picker. */
    list: () => ["connections", "list"] as const,
  },
  usage: {
    /** A usage report (`GET /usage`) for a range, grouping and workspace. */
    report: (query: Readonly<Record<string, string>>) => ["usage", "report", query] as const,
  },
  chat: {
    /** A workflow's chat sessions, most recent first. */
    sessions: (workflowId: string) => ["chat", "sessions", workflowId] as const,
    messages: (sessionId: string | null) => ["chat", "messages", sessionId] as const,
  },
};
