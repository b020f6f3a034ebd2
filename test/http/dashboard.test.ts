// The live dashboard in real headless Chromium (Debian's `chromium`, driven by playwright-core)
// while `xenoflow gen` feeds the collector: the chart must draw the sampled series, the top
// table the latest window, and the page must fit a 360 px phone. Leaves the screenshot in
// .tmp/dashboard.png (XENOFLOW_SCREENSHOT overrides; docs/img/dashboard.png is one such picture).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { readCapture } from "../../src/capture/pcap.ts";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort, sendFrom } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
// The little of the DOM the page functions below use (this project compiles without DOM typings).
interface PageDocument {
  querySelector(s: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(s: string): { length: number };
  documentElement: { scrollWidth: number };
}
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const SCREENSHOT = process.env.XENOFLOW_SCREENSHOT ?? join(import.meta.dir, "../../.tmp/dashboard.png");
const FIXTURES = join(import.meta.dir, "../fixtures/exporters");

const MO = `
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "talkers"
  every = "2s"
  key = ["src host", "dst host"]
  values = ["octets", "packets"]
  top = 8
  [[mo.window]]
  name = "proto"
  every = "2s"
  key = ["proto"]
  values = ["octets", "packets", "flows"]
  [[mo.mavg]]
  name = "proto_rate"
  window = "2s"
  key = ["proto"]
  values = ["bits", "packets"]
    [[mo.mavg.limit]]
    name = "busy"
    bits = 1e6
[[mo]]
name = "web"
parent = "all"
filter = "proto tcp and (dst port 80 or dst port 443)"
[[mo]]
name = "udp"
parent = "all"
filter = "proto udp"
`;

describe.skipIf(skip)("dashboard in Chromium", () => {
  let c: RunningCollector;
  let gen: ReturnType<typeof Bun.spawn>;
  let browser: Browser;
  let base = "";
  beforeAll(async () => {
    const port = await freeTcpPort();
    c = await startCollector(MO, { http: `listen = "127.0.0.1:${port}"` });
    await c.waitForLog(/http on /);
    base = `http://127.0.0.1:${port}/`;
    gen = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--fps", "3000", "--duration", "60", "--version", "9", "--exporters", "2", "--zipf", "1.1"], {
      stdout: "ignore",
      stderr: "ignore",
    });
    for (const [file, from] of [["pmacct-v5.pcap", "127.0.0.5"], ["pmacct-v10.pcap", "127.0.0.10"]] as const) {
      await sendFrom(from, c.port, readCapture(new Uint8Array(readFileSync(join(FIXTURES, file)))).datagrams.map((d) => d.payload));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    gen?.kill();
    await c?.stop();
    c?.cleanup();
  });

  test(
    "draws the chart, the top table, alerts and exporters, and fits a phone",
    async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(base)) external.push(r.url());
      });
      await page.goto(base);
      // Three chart samples are 10-15 s of history at one sample per 5 s.
      await page.waitForFunction(
        () => {
          const d = (globalThis as unknown as { document: PageDocument }).document;
          const line = d.querySelector('#chart-flows polyline[data-mo="all"]');
          const rows = d.querySelectorAll('.top[data-window="all/talkers"] tbody tr');
          const alerts = d.querySelectorAll("#alerts tbody tr");
          return line !== null && Number(line.getAttribute("data-points")) >= 3 && rows.length > 0 && alerts.length > 0;
        },
        undefined,
        { timeout: 40_000, polling: 500 },
      );
      const chart = await page.$$eval("#chart-bits polyline", (ls) =>
        ls.map((l) => ({ mo: l.getAttribute("data-mo"), points: Number(l.getAttribute("data-points")), drawn: (l.getAttribute("points") ?? "").split(" ").length })),
      );
      expect(chart.map((l) => l.mo)).toEqual(["all", "web", "udp"]);
      for (const l of chart) expect(l.drawn).toBe(l.points);
      expect(chart[0]?.points).toBeGreaterThanOrEqual(3);
      // The y axis is labelled with units; the busiest line is not flat at zero.
      const yLabels = await page.$$eval("#chart-bits svg text", (ts) => ts.map((t) => t.textContent ?? ""));
      expect(yLabels.some((t) => /^\d+(\.\d+)? [kMG]bit$/.test(t))).toBe(true);
      const ys = await page.$eval('#chart-flows polyline[data-mo="all"]', (l) => (l.getAttribute("points") ?? "").split(" ").map((p: string) => Number(p.split(",")[1])));
      expect(Math.min(...ys)).toBeLessThan(Math.max(...ys) - 1);

      const talkers = await page.$$eval('.top[data-window="all/talkers"] tbody tr', (rs) => rs.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")));
      expect(talkers.length).toBeGreaterThan(1);
      expect(talkers.length).toBeLessThanOrEqual(9); // top 8 and the "other" row
      expect(talkers[0]?.[0]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(talkers[0]?.[1]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const headers = await page.$$eval('.top[data-window="all/talkers"] th', (hs) => hs.map((h) => h.textContent));
      expect(headers).toEqual(["src_host", "dst_host", "octets", "packets"]);

      const alerts = await page.$$eval("#alerts tbody tr", (rs) => rs.map((r) => r.querySelector("td")?.textContent));
      expect(alerts.every((a) => a === "all/proto_rate/busy")).toBe(true);
      const exporters = await page.$$eval("#exporters tbody tr td:first-child", (ts) => ts.map((t) => t.textContent).sort());
      expect(exporters).toEqual(["127.0.0.1", "127.0.0.10", "127.0.0.5"]);
      expect(await page.textContent("#health")).toBe("healthy");
      expect(external).toEqual([]);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // On a phone the page reflows instead of scrolling sideways (wide tables scroll in their box).
      await page.setViewportSize({ width: 360, height: 740 });
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.close();
    },
    { timeout: 90_000 },
  );
});
