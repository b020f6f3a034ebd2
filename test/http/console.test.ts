// The console (/explore) in headless Chromium over a collector that was restarted: what the first
// run wrote (windows, an exceed/normal pair with its extended window's rows) is what the second
// one shows. The stacked chart's per-bucket totals are compared with `xenoflow report series
// --json` for the same query; clicking a key filters the table; the live page starts its charts
// from the stored windows. Leaves .tmp/console.png (XENOFLOW_CONSOLE_SCREENSHOT overrides).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const SCREENSHOT = process.env.XENOFLOW_CONSOLE_SCREENSHOT ?? join(import.meta.dir, "../../.tmp/console.png");
// The little of the DOM used in the page (this project compiles without DOM typings).
type Doc = { document: { querySelectorAll(s: string): { length: number } } };
/** Waits until the page holds between `min` and `max` elements matching `selector`. */
const holds = (page: Page, selector: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  page.waitForFunction(
    (a: { selector: string; min: number; max: number }) => {
      const n = (globalThis as unknown as Doc).document.querySelectorAll(a.selector).length;
      return n >= a.min && n <= a.max;
    },
    { selector, min, max },
    { timeout: 15_000 },
  );
const atLeast = (page: Page, selector: string, n = 1) => holds(page, selector, n);

const MO = `
[[mo]]
name = "all"
filter = ""
  [[mo.window]]
  name = "talkers"
  every = "2s"
  key = ["dst host", "proto"]
  values = ["octets", "packets", "flows"]
  top = 20
  [[mo.window]]
  name = "sources"
  every = "2s"
  key = ["src host"]
  values = ["octets", "packets"]
  extended = true
  [[mo.mavg]]
  name = "total"
  window = "1s"
  key = ["proto"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "busy"
    packets = 200
    normal_after = "1s"
    enable = ["all/sources"]
`;

describe.skipIf(skip)("console in Chromium", () => {
  let c: RunningCollector;
  let browser: Browser;
  let base = "";
  const dir = mkdtempSync(join(tmpdir(), "xf-console-"));
  const http = async () => `listen = "127.0.0.1:${await freeTcpPort()}"`;

  beforeAll(async () => {
    // First run: traffic, one exceed while it flows and one normal after it stops; then a restart.
    const first = await startCollector(MO, { dir, http: await http() });
    const gen = Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${first.port}`, "--fps", "1500", "--duration", "4", "--version", "9", "--zipf", "1.1"], { stdout: "ignore", stderr: "ignore" });
    expect(gen.exitCode).toBe(0);
    await first.waitForLog(/alert normal all\/total\/busy/, 15_000);
    await Bun.sleep(300);
    expect(await first.stop()).toBe(0);
    c = await startCollector(MO, { dir, http: await http() });
    base = `http://${/http on http:\/\/([^/]+)\//.exec(await c.waitForLog(/http on /))![1]}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await c?.stop();
    c?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("6 hours of a window: the stacked chart's bucket totals are report series --json; a click filters; the alert opens its window", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(base)) external.push(r.url());
    });
    await page.goto(`${base}explore?w=all/talkers&v=packets&last=6h`);
    await atLeast(page, "#chart rect.hit");
    await atLeast(page, "#top tbody tr", 3);
    const drawn = await page.$$eval("#chart rect.hit", (rs) => rs.map((r) => [Number(r.getAttribute("data-time")), Number(r.getAttribute("data-total"))]));
    // 6 h over at most 240 buckets of whole 2 s windows: 90 s buckets.
    const cli = Bun.spawnSync([BUN, MAIN, "report", "series", "-c", c.config, "--mo", "all", "--window", "talkers", "--value", "packets", "--last", "6h", "--every", "90s", "--top", "8", "--json"], { stderr: "pipe" });
    expect(cli.exitCode).toBe(0);
    const want = JSON.parse(cli.stdout.toString()) as { keys: unknown[]; buckets: { time: number; total: number }[] };
    expect(drawn).toEqual(want.buckets.map((b) => [b.time, b.total]));
    expect(drawn.reduce((a, [, t]) => a + t!, 0)).toBeGreaterThan(1000);
    expect(await page.$$eval("#chart polygon.band", (ps) => ps.map((p) => p.getAttribute("data-band")))).toEqual([...want.keys.map((_, i) => String(i)), "other"]);
    // Names beside numbers: proto 17 is udp.
    expect(await page.textContent('#top td.k[data-col="proto"]')).toMatch(/^\d+ [a-z]+/);

    // A click on a key's value keeps the rows with it, and the URL says so.
    const host = (await page.getAttribute('#top td.k[data-col="dst_host"]', "data-val"))!;
    await page.click(`#top td.k[data-col="dst_host"][data-val="${host}"]`);
    const others = `#top td.k[data-col="dst_host"]:not([data-val="${host}"])`;
    await holds(page, others, 0, 0);
    await atLeast(page, `#top td.k[data-col="dst_host"][data-val="${host}"]`);
    expect(new URL(page.url()).searchParams.get("where")).toBe(`dst_host=${host}`);

    // The alert history: the exceed/normal pair of the first run with its peak; a click opens all/sources over its duration.
    await atLeast(page, "#alerts tr.alert");
    const alert = await page.$$eval("#alerts tr.alert", (rs) => rs.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(alert).toHaveLength(1);
    expect(alert[0]!.slice(2, 5)).toEqual(["all/total/busy", "17", "exceed"]);
    expect(alert[0]![5]).toMatch(/^\d+(\.\d+)? k?pkt\/s$/);
    expect(alert[0]![7]).toBe("all/sources");
    await page.click("#alerts tr.alert");
    await atLeast(page, '#top td.k[data-col="src_host"]');
    const url = new URL(page.url()).searchParams;
    expect([url.get("w"), url.get("last"), url.get("where")]).toEqual(["all/sources", null, null]);
    const hist = (await (await fetch(`${base}api/alerts?last=1h`)).json()) as { history: { peak: number; threshold: number; start: string; end: string }[] };
    expect(hist.history).toHaveLength(1);
    expect(hist.history[0]!.peak).toBeGreaterThan(hist.history[0]!.threshold);
    expect(Number(url.get("from"))).toBeLessThanOrEqual(Date.parse(hist.history[0]!.start) / 1000);
    expect(Number(url.get("to"))).toBeGreaterThanOrEqual(Date.parse(hist.history[0]!.end) / 1000);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The previous period: a range starting at a window in the middle of the first run, as long
    // as the two windows before it, draws the previous period's totals over it.
    const windows = (await (await fetch(`${base}api/report/series?mo=all&window=talkers&value=packets&last=1h`)).json()) as { buckets: { time: number; total: number }[] };
    const mid = windows.buckets.filter((b) => b.total > 0).at(-2)!.time;
    await page.goto(`${base}explore?w=all/talkers&v=packets&from=${mid}&to=${mid + 4}&cmp=1`);
    await atLeast(page, "#chart polyline.prev");
    expect(await page.isChecked("#cmp")).toBe(true);

    // On a phone the console reflows; the live page starts from the stored windows of the first run.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.goto(base);
    await atLeast(page, '#chart-bits polyline[data-mo="all"]:not([data-stored="0"])');
    expect(external).toEqual([]);
    await page.close();
  }, 60_000);
});
