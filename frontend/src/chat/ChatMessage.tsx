/**
 * One chat message: the question, or the answer as Markdown with its sources and run; and
 * the answer still being written.
 */
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import LanguageIcon from "@mui/icons-material/Language";
import { Box, Chip, Link, Paper, Stack, Tooltip, Typography } from "@mui/material";
import { memo } from "react";
import ReactMarkdown from "react-markdown";
import { Link as RouterLink } from "react-router-dom";

import type { Schemas } from "../api/client";
import { StreamingText } from "../components/StreamingText";

export type ChatMessageData = Pick<Schemas["ChatMessageOut"], "role" | "content" | "run_id"> & {
  metadata?: Record<string, unknown>;
};

type Citation = Schemas["Citation"];
type WebResult = Schemas["WebResult"];
type TokenUsage = Schemas["TokenUsage"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The citations an answer's metadata carries (ignoring anything malformed). */
export function citationsOf(metadata: Record<string, unknown> | undefined): Citation[] {
  const raw = metadata?.citations;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (c): c is Citation => isRecord(c) && typeof c.document === "string",
  );
}

export function webSourcesOf(metadata: Record<string, unknown> | undefined): WebResult[] {
  const raw = metadata?.web_sources;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (w): w is WebResult => isRecord(w) && typeof w.link === "string",
  );
}

function usageOf(metadata: Record<string, unknown> | undefined): TokenUsage | null {
  const raw = metadata?.usage;
  return isRecord(raw) ? (raw as TokenUsage) : null;
}

/** Citations of one document and page are shown once. */
function uniqueCitations(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((c) => {
    const key = `${c.document}\u0000${c.page ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function citationLabel(c: Pick<Citation, "document" | "page">): string {
  return c.page != null ? `${c.document}, p. ${c.page}` : c.document;
}

/** A link that is safe to open: http(s) only. */
function safeHref(link: string): string | undefined {
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function Markdown({ children }: { children: string }) {
  return (
    <Box
      sx={{
        "& > :first-of-type": { mt: 0 },
        "& > :last-child": { mb: 0 },
        "& p": { my: 0.75 },
        "& pre": { p: 1, bgcolor: "grey.100", borderRadius: 1, overflowX: "auto" },
        "& code": { fontFamily: "monospace", fontSize: "0.875em" },
        "& ul, & ol": { pl: 3, my: 0.75 },
        "& table": { borderCollapse: "collapse" },
        "& th, & td": { border: 1, borderColor: "divider", px: 1 },
        wordBreak: "break-word",
      }}
    >
      <ReactMarkdown
        components={{
          a: ({ href, children: text }) => (
            <Link href={href ? safeHref(href) : undefined} target="_blank" rel="noopener noreferrer">
              {text}
            </Link>
          ),
        }}
      >
        {children}
      </ReactMarkdown>
    </Box>
  );
}

/** The answer as the LLM step writes it, until the run's reply takes its place. */
export function StreamingReplyView({ text }: { text: string }) {
  return (
    <Box sx={{ display: "flex" }} data-testid="chat-message-streaming">
      <Paper variant="outlined" sx={{ px: 1.5, py: 1, maxWidth: "95%", minWidth: 0 }}>
        <StreamingText text={text} testId="streaming-answer" />
      </Paper>
    </Box>
  );
}

// Memoized: the conversation re-renders with each token of a streaming answer.
export const ChatMessageView = memo(function ChatMessageView({ message }: { message: ChatMessageData }) {
  if (message.role === "user") {
    return (
      <Box sx={{ display: "flex", justifyContent: "flex-end" }} data-testid="chat-message-user">
        <Paper
          elevation={0}
          sx={{
            px: 1.5,
            py: 1,
            maxWidth: "85%",
            bgcolor: "primary.main",
            color: "primary.contrastText",
            whiteSpace: "pre-wrap",
            wordBreak: "break-word",
          }}
        >
          <Typography variant="body2">{message.content}</Typography>
        </Paper>
      </Box>
    );
  }
  const metadata = message.metadata;
  const citations = uniqueCitations(citationsOf(metadata));
  const webSources = webSourcesOf(metadata);
  const usage = usageOf(metadata);
  const model = typeof metadata?.model === "string" ? metadata.model : null;
  return (
    <Box sx={{ display: "flex" }} data-testid="chat-message-assistant">
      <Paper variant="outlined" sx={{ px: 1.5, py: 1, maxWidth: "95%", minWidth: 0 }}>
        <Box sx={{ typography: "body2" }}>
          <Markdown>{message.content}</Markdown>
        </Box>
        {citations.length > 0 ? (
          <Box sx={{ mt: 1 }}>
            <Typography variant="caption" color="text.secondary" component="div">
              Sources
            </Typography>
            <Box
              component="ul"
              aria-label="Citations"
              sx={{ display: "flex", flexWrap: "wrap", gap: 0.5, mt: 0.25, mb: 0, p: 0, listStyle: "none" }}
            >
              {citations.map((c) => (
                <li key={`${c.document}-${c.page ?? ""}`}>
                  <Tooltip title={c.snippet || ""} disableHoverListener={!c.snippet}>
                    <Chip
                      size="small"
                      variant="outlined"
                      icon={<DescriptionOutlinedIcon />}
                      label={citationLabel(c)}
                      data-testid="citation"
                    />
                  </Tooltip>
                </li>
              ))}
            </Box>
          </Box>
        ) : null}
        {webSources.length > 0 ? (
          <Box sx={{ mt: 1 }}>
            <Typography variant="caption" color="text.secondary" component="div">
              Web sources
            </Typography>
            <Box component="ul" aria-label="Web sources" sx={{ m: 0, pl: 0, listStyle: "none" }}>
              {webSources.map((w) => (
                <Box component="li" key={w.link} sx={{ display: "flex", gap: 0.5, alignItems: "center" }}>
                  <LanguageIcon sx={{ fontSize: 14, color: "text.secondary" }} />
                  <Link
                    variant="body2"
                    href={safeHref(w.link)}
                    target="_blank"
                    rel="noopener noreferrer"
                    data-testid="web-source"
                    noWrap
                  >
                    {w.title || w.link}
                  </Link>
                </Box>
              ))}
            </Box>
          </Box>
        ) : null}
        <Stack
          direction="row"
          sx={{ mt: 1, gap: 1, flexWrap: "wrap", alignItems: "center", color: "text.secondary" }}
        >
          {model ? (
            <Typography variant="caption" data-testid="chat-model">
              {model}
            </Typography>
          ) : null}
          {usage && usage.total_tokens ? (
            <Tooltip
              title={`${usage.prompt_tokens ?? 0} prompt + ${usage.completion_tokens ?? 0} completion tokens`}
            >
              <Typography variant="caption" data-testid="chat-usage">
                {usage.total_tokens} tokens
              </Typography>
            </Tooltip>
          ) : null}
          {message.run_id ? (
            <Link component={RouterLink} to={`/runs/${message.run_id}`} variant="caption">
              View run
            </Link>
          ) : null}
        </Stack>
      </Paper>
    </Box>
  );
});
