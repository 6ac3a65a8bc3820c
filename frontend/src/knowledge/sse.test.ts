import { describe, expect, it } from "vitest";

import { SseParser, readSse } from "./sse";

function streamOf(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      }
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const messages = [];
  for await (const message of readSse(body)) messages.push(message);
  return messages;
}

describe("SseParser", () => {
  it("reads the API's progress and done events", () => {
    const parser = new SseParser();
    const messages = parser.push(
      'event: progress\ndata: {"percentage": 12.5}\n\nevent: done\ndata: {"percentage": 100}\n\n',
    );
    expect(messages).toEqual([
      { event: "progress", data: '{"percentage": 12.5}' },
      { event: "done", data: '{"percentage": 100}' },
    ]);
  });

  it("completes a message only at its blank line, whatever the chunking", () => {
    const text = 'event: progress\ndata: {"a":1}\n\nevent: done\ndata: {"a":2}\n\n';
    for (let size = 1; size <= text.length; size += 1) {
      const parser = new SseParser();
      const messages = [];
      for (let at = 0; at < text.length; at += size) messages.push(...parser.push(text.slice(at, at + size)));
      expect(messages.map((m) => [m.event, m.data])).toEqual([
        ["progress", '{"a":1}'],
        ["done", '{"a":2}'],
      ]);
    }
  });

  it("ignores comments, joins data lines, defaults the event to message, keeps ids", () => {
    const parser = new SseParser();
    expect(parser.push(": keep-alive\n\n")).toEqual([]);
    expect(parser.push("data: one\ndata:two\nid: 7\nretry: 100\nunknown: x\n\n")).toEqual([
      { event: "message", data: "one\ntwo", id: "7" },
    ]);
  });

  it("accepts CRLF and CR line ends, even split between chunks", () => {
    const parser = new SseParser();
    expect(parser.push("event: progress\r")).toEqual([]);
    expect(parser.push("\ndata: x\r\n\r")).toEqual([]);
    expect(parser.push("\nevent: done\rdata: y\r\r")).toEqual([{ event: "progress", data: "x" }]);
    expect(parser.end()).toEqual([{ event: "done", data: "y" }]);
  });

  it("drops an event without data and an unfinished message at the end", () => {
    const parser = new SseParser();
    expect(parser.push("event: progress\n\nevent: done\ndata: half")).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it("keeps only the first space after the colon and strips a byte-order mark", () => {
    const parser = new SseParser();
    expect(parser.push("\uFEFFdata:  indented\n\n")).toEqual([{ event: "message", data: " indented" }]);
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode('event: done\ndata: {"filename":"résumé.pdf"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
    const messages = await collect(streamOf(bytes.slice(0, cut), bytes.slice(cut)));
    expect(messages).toEqual([{ event: "done", data: '{"filename":"résumé.pdf"}' }]);
  });

  it("cancels the stream when the reader stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("data: first\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const message of readSse(body)) {
      expect(message.data).toBe("first");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
