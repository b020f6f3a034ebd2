import { describe, expect, test } from "bun:test";
import { copyChunks, escapeCopyText } from "../../src/store/copy-text.ts";
import { columnsOf } from "../../src/store/ddl.ts";
import type { Row, WindowExport } from "../../src/store/sink.ts";
import { ROWS_PER_TURN } from "../../src/store/turn.ts";
import { turnsDuring } from "./turns.ts";

function exp(rows: readonly Row[]): WindowExport {
  return {
    mo: "web",
    window: "talkers",
    table: "web_talkers",
    time: 1_700_000_040,
    keys: [
      { name: "src_host", type: "address" },
      { name: "app", type: "string" },
    ],
    values: ["octets", "flows"],
    rows,
  };
}

async function text(e: WindowExport): Promise<{ chunks: string[]; turns: number }> {
  const { turns, value } = await turnsDuring(async () => {
    const chunks: string[] = [];
    for await (const c of copyChunks(e, columnsOf(e, "postgres"))) chunks.push(c);
    return chunks;
  });
  return { chunks: value, turns };
}

describe("COPY text", () => {
  test("escapes the characters that would break the framing", () => {
    expect(escapeCopyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
  });

  test("one line per row: time, cells, \\N for null, value sums rounded", async () => {
    const { chunks } = await text(
      exp([
        ["10.0.0.1", "web\tproxy", 1500.4, 2],
        [null, null, 3000, 7.5],
      ]),
    );
    expect(chunks).toEqual(["2023-11-14T22:14:00.000Z\t10.0.0.1\tweb\\tproxy\t1500\t2\n2023-11-14T22:14:00.000Z\t\\N\t\\N\t3000\t8\n"]);
  });

  test("a large export is rendered a slice per event-loop turn, every row once", async () => {
    const n = 3 * ROWS_PER_TURN + 1;
    const rows = Array.from({ length: n }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, "app", i, 1]);
    const { chunks, turns } = await text(exp(rows));
    const lines = chunks.join("").split("\n").slice(0, -1);
    expect(lines.length).toBe(n);
    expect(lines[n - 1]).toBe(`2023-11-14T22:14:00.000Z\t10.0.${(n - 1) >> 8}.${(n - 1) & 255}\tapp\t${n - 1}\t1`);
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});
