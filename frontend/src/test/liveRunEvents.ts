/**
 * A run's events stream as the API sends it, written by a test event by event: history
 * events with increasing ids, tokens with `<last id>-<seq>`.
 */
import type { TokenDelta } from "../runs/runEvents";

export function liveRunEvents() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  let id = 100;
  const write = (eventId: string, event: string, data: unknown) =>
    controller.enqueue(encoder.encode(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  return {
    response: () => new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
    send(event: string, data: unknown) {
      id += 100;
      write(String(id), event, data);
    },
    token(data: TokenDelta) {
      write(`${id}-${data.seq}`, "token", data);
    },
    close: () => controller.close(),
  };
}
