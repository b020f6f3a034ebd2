import { describe, expect, test } from "bun:test";
import { copyChunks, escapeCopyText, pgLead } from "../../src/store/copy-text.ts";
import { columnsOf } from "../../src/store/ddl.ts";
import type { Row, WindowExport } from "../../src/store/sink.ts";
import type { StoreError } from "../../src/store/store-error.ts";
import { ROWS_PER_TURN } from "../../src/store/turn.ts";
import { turnsDuring } from "./turns.ts";

function exp(rows: readonly Row[]): WindowExport & { rows: readonly Row[] } {
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
    for await (const c of copyChunks(e, columnsOf(e, "postgres"), pgLead(e, "pop\t1"))) chunks.push(c);
    return chunks;
  });
  return { chunks: value, turns };
}

describe("COPY text", () => {
  test("escapes the characters that would break the framing", () => {
    expect(escapeCopyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
  });

  test("one line per row: time, collector, cells, \\N for null, value sums rounded", async () => {
    const { chunks } = await text(
      exp([
        ["10.0.0.1", "web\tproxy", 1500.4, 2],
        [null, null, 3000, 7.5],
      ]),
    );
    expect(chunks).toEqual(["2023-11-14T22:14:00.000Z\tpop\\t1\t10.0.0.1\tweb\\tproxy\t1500\t2\n2023-11-14T22:14:00.000Z\tpop\\t1\t\\N\t\\N\t3000\t8\n"]);
  });

  test("a large export is rendered a slice per event-loop turn, every row once", async () => {
    const n = 3 * ROWS_PER_TURN + 1;
    const rows = Array.from({ length: n }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, "app", i, 1]);
    const { chunks, turns } = await text(exp(rows));
    const lines = chunks.join("").split("\n").slice(0, -1);
    expect(lines.length).toBe(n);
    expect(lines[n - 1]).toBe(`2023-11-14T22:14:00.000Z\tpop\\t1\t10.0.${(n - 1) >> 8}.${(n - 1) & 255}\tapp\t${n - 1}\t1`);
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  test("a value its column cannot hold is refused as this export's data, before the server sees it", async () => {
    const refusal = (rows: readonly Row[]) =>
      text(exp(rows)).then(
        () => null,
        (e: StoreError) => [e.fault, e.message],
      );
    expect(await refusal([["10.0.0.1", "app", 2 ** 63, 1]])).toEqual(["data", "column octets (bigint) cannot hold 9223372036854776000"]);
    expect(await refusal([["10.0.0.1", "app", -(2 ** 63) - 4096, 1]])).toEqual(["data", "column octets (bigint) cannot hold -9223372036854780000"]);
    expect(await refusal([["10.0.0.1", "a\u0000b", 1, 1]])).toEqual(["data", "column app (text) cannot hold a NUL character"]);
    // The largest double below 2^63 still fits.
    expect(await refusal([["10.0.0.1", "app", 2 ** 63 - 1024, 1]])).toBeNull();
  });
});
