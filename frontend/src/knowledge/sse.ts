/**
 * A Server-Sent Events reader for `fetch` responses. `EventSource` cannot send the
 * `Authorization` header, so the builder reads `text/event-stream` bodies itself:
 * `SseParser` turns text, in chunks of any size, into messages following the HTML
 * specification's rules (`event:`, `data:` — joined by newlines when repeated —, `id:`,
 * comments starting with `:`, a blank line ends a message; CRLF, LF or CR line ends).
 */

export interface SseMessage {
  /** The `event:` field, `"message"` when absent. */
  event: string;
  /** Every `data:` line of the message, joined by `\n`. */
  data: string;
  /** The `id:` field, when the message had one. */
  id?: string;
}

export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;
  private started = false;

  /** Feeds a piece of the stream; returns the messages it completed. */
  push(text: string): SseMessage[] {
    if (!this.started) {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1); // a byte-order mark is ignored
    }
    this.buffer += text;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) break;
      const width = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + width);
      const message = this.line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  /**
   * The stream ended: a lone CR waiting for its LF still ends its line; a message without
   * its closing blank line is dropped, as the specification says.
   */
  end(): SseMessage[] {
    const messages: SseMessage[] = [];
    if (this.buffer.endsWith("\r")) {
      const message = this.line(this.buffer.slice(0, -1));
      if (message) messages.push(message);
    }
    this.buffer = "";
    this.reset();
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.reset();
        return null;
      }
      const message: SseMessage = { event: this.event || "message", data: this.data.join("\n") };
      if (this.id !== undefined) message.id = this.id;
      this.reset();
      return message;
    }
    if (line.startsWith(":")) return null; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return null; // "retry" and unknown fields are ignored
  }

  private reset(): void {
    this.event = "";
    this.data = [];
    this.id = undefined;
  }
}

/**
 * Every message of a `text/event-stream` body, as it arrives. Aborting `signal` cancels
 * the body, which ends the messages.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  const parser = new SseParser();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    if (signal?.aborted) return;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    signal?.removeEventListener("abort", stop);
    reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
