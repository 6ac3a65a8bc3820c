import { describe, expect, it } from "vitest";

import { layoutPositions } from "./layout";

describe("layoutPositions", () => {
  it("lays a chain out from left to right", () => {
    const positions = layoutPositions(
      [{ id: "out" }, { id: "llm" }, { id: "q" }, { id: "kb", width: 200, height: 100 }],
      [
        { source: "q", target: "kb" },
        { source: "kb", target: "llm" },
        { source: "q", target: "llm" },
        { source: "llm", target: "out" },
        { source: "llm", target: "missing" },
      ],
    );
    const x = (id: string) => positions.get(id)!.x;
    expect(x("q")).toBeLessThan(x("kb"));
    expect(x("kb")).toBeLessThan(x("llm"));
    expect(x("llm")).toBeLessThan(x("out"));
    expect(Number.isInteger(x("kb"))).toBe(true);
  });
});
