// The server in this process against a collector view with known counters: health answers and
// the top-keys ordering, which the end-to-end tests cannot steer.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { startHttpServer } from "../../src/http/server.ts";
import type { CollectorView } from "../../src/http/sources.ts";
import { type LatestExport, latestOf } from "../../src/monitor/latest.ts";
import { freeTcpPort } from "./support.ts";
import { view } from "./view.ts";

async function serve(v: CollectorView, run: (base: string) => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const port = await freeTcpPort();
  const s = startHttpServer(v, { listen: { host: "127.0.0.1", port }, token: null, configFile: "/x.toml", log: createLogger({ write: (l) => lines.push(l), isTTY: false, journal: true }) });
  try {
    await run(s.url);
  } finally {
    await s.stop();
  }
  return lines;
}

describe("http server in process", () => {
  test("/healthz is 503 with the reason while the spool is full", async () => {
    const lines = await serve(view({ bytes: 1 << 20, droppedExports: 0 }), async (base) => {
      const r = await fetch(`${base}healthz`);
      const body = (await r.json()) as { status: string; problems: string[]; uptimeSeconds: number };
      expect([r.status, body.status, body.problems]).toEqual([503, "unhealthy", ["spool full: 1048576 of 1048576 bytes"]]);
      expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
      expect((await (await fetch(`${base}metrics`)).text()).split("\n")).toContain("xenoflow_healthy 0");
    });
    expect(lines).toEqual([expect.stringMatching(/^<6>http on http:\/\/127\.0\.0\.1:\d+\/$/)]);
  });

  test("/api/top sorts by the first value, the remainder row last, and limits rows", async () => {
    const v = view({ droppedExports: 0 });
    (v.latest as Map<string, LatestExport>).set(
      "all/proto",
      latestOf({
        mo: "all",
        window: "proto",
        table: "all_proto",
        time: 1_700_000_000,
        keys: [{ name: "proto", type: "uint" }],
        values: ["octets", "flows"],
        rows: [
          [17, 500, 5],
          [null, 9000, 90],
          [6, 7000, 70],
          [1, 20, 2],
        ],
      }),
    );
    await serve(v, async (base) => {
      expect(await (await fetch(`${base}api/top?window=all/proto&n=2`)).json()).toEqual({
        mo: "all",
        window: "proto",
        path: "all/proto",
        time: 1_700_000_000,
        columns: ["proto", "octets", "flows"],
        keys: 1,
        rows: [
          [6, 7000, 70],
          [17, 500, 5],
          [null, 9000, 90],
        ],
        totalRows: 4,
      });
      const all = (await (await fetch(`${base}api/top`)).json()) as { windows: { path: string; rows: unknown[] }[] };
      expect(all.windows.map((w) => [w.path, w.rows.length])).toEqual([["all/proto", 4]]);
    });
  });
});
