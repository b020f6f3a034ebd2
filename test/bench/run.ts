// `make bench`: the issue-6 benchmark, bounded to a few minutes and loopback only.
//   (a) in process: decode, decode+monitor and the flow dump, records per CPU-second
//   (b) end to end: `xenoflow run` on core 0, `xenoflow gen` on core 1, rates stepped up until
//       loss appears, three ramps; CPU-seconds per million flows at 1M flows/s
//   (c) memory with 100 000 active keys per window, before and after a window close
//   (e) enrichment: CPU at 1M flows/s with both databases and 100 000 hosts a side beside the same
//       run without them, and the loss-free rate with them (`--enrich-only`: this part alone)
// Prints a markdown report and writes it into docs/PERFORMANCE.md between the bench markers.
//   node_modules/.bin/bun test/bench/run.ts [--quick] [--no-write]
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { WINDOW_MS, startCollector, step, type Step } from "./e2e.ts";
import { type EnrichBench, enrichBench } from "./enrich-e2e.ts";
import { genPool, runInProcess, stat, type InProcResult, type Stat } from "./inproc.ts";
import { workersInProcess } from "../workers/inproc-bench.ts";
import { workersLoopback } from "../workers/loopback-bench.ts";

const CONFIG = "config/examples/bench.toml";
const DOC = "docs/PERFORMANCE.md";
const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";

const quick = process.argv.includes("--quick");
const RAMP = quick ? [1e6, 2e6, 3e6] : [0.5e6, 1e6, 2e6, 3e6, 4e6, 5e6, 6e6];
const RAMPS = quick ? 1 : 3;
const STEP_S = quick ? 3 : 4;
// 100 000 keys per window: a pool of 3449 datagrams x 29 records = 100 021 distinct records,
// sources and destinations drawn from 100 000 hosts each, all inside 10/8 (MO net10).
const BIG_KEYS = ["--hosts-src", "100000", "--hosts-dst", "100000", "--dst-nets", "10.0.0.0/8", "--pool", "3449"];

const M = (x: number) => (x / 1e6).toFixed(2);
const fmt = (s: Stat, f: (x: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function machine(): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "?";
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return `nproc ${cpus().length}, ${model}, Bun ${Bun.version}, load average at start ${load}`;
}

/** Distinct keys of each window and average of the bench config for a generator mix. */
function distinctKeys(flags: readonly string[]): string {
  const gen: Record<string, string> = {};
  for (let k = 0; k < flags.length; k += 2) gen[flags[k]!.slice(2)] = flags[k + 1]!;
  const p = genPool(gen);
  const b = p.batch;
  const pairs = new Set<string>();
  const services = new Set<string>();
  const dst = new Set<number>();
  const webDst = new Set<number>();
  for (let i = 0; i < b.length; i++) {
    const s = b.srcAddr[i * 4]!;
    const d = b.dstAddr[i * 4]!;
    const web = b.dstPort[i] === 80 || b.dstPort[i] === 443;
    if (s >>> 24 === 10 || d >>> 24 === 10) {
      pairs.add(`${s},${d}`);
      dst.add(d);
    }
    if (web) {
      services.add(`${d},${b.dstPort[i]}`);
      webDst.add(d);
    }
  }
  return `net10/pairs ${pairs.size}, web/services ${services.size}, net10/dst ${dst.size}, web/dst ${webDst.size}`;
}

// sFlow v5 as agents send it (issue 23): `gen --version sflow`, 7 flow samples of 128-byte raw
// headers per datagram (packets of 114+ octets), sampling 1 in 1000; "flows" are flow samples.
const SFLOW = ["--version", "sflow", "--records", "7", "--sampling", "1000", "--octets", "114-1500"];
const SFLOW_RAMP = quick ? [1e6, 2e6] : [0.5e6, 1e6, 1.5e6, 2e6, 2.5e6, 3e6, 4e6];
// A fresh collector compiles its path in its first second of traffic (docs/PERFORMANCE.md): the
// sFlow ramps first send, uncounted, about the datagram rate of NetFlow's 1 M flows/s step.
const SFLOW_WARM_UP = 0.25e6;

/** `warmUp`: a first step (2 s, not counted) at that rate, as the enrichment ramp has one. */
async function ramp(rates: readonly number[] = RAMP, flags: readonly string[] = [], records = 29, warmUp = 0): Promise<Step[]> {
  const c = await startCollector(CONFIG, 0);
  const steps: Step[] = [];
  try {
    if (warmUp > 0) await step(c, warmUp, 2, flags, records);
    for (const fps of rates) {
      const s = await step(c, fps, STEP_S, flags, records);
      steps.push(s);
      console.error(`  ${M(fps)}M/s: sent ${M(s.sentFps)}M/s, lost ${s.lossPct.toFixed(3)} % (kernel drops ${s.kernelDrops} datagrams, other ${s.otherLoss} flows), ${s.cpuPerMFlows.toFixed(3)} CPU-s/M`);
      if (s.sent !== s.decoded) break;
    }
  } finally {
    await c.stop();
  }
  return steps;
}

// 100 000 keys per window at 1M flows/s: a first step fills the tables, a second one runs past
// the next close of the 30 s windows (render, spool and SQLite write of ~144 000 rows on the
// thread that receives). RSS after each; the second step's kernel drops are the close's.
async function memory(): Promise<{ first: Step; close: Step; keys: string; mavgKeys: number }> {
  const c = await startCollector(CONFIG, 0);
  try {
    const toClose = () => WINDOW_MS - (Date.now() % WINDOW_MS);
    // The first step (its seconds, gen's start and the drain after it) must end before a close.
    const seconds = quick ? 4 : 8;
    if (toClose() < (seconds + 3) * 1000) await Bun.sleep(toClose() + 500);
    const first = await step(c, 1e6, seconds, BIG_KEYS);
    const close = await step(c, 1e6, Math.ceil(toClose() / 1000) + 8, BIG_KEYS);
    const m = await c.metrics();
    return { first, close, keys: distinctKeys(BIG_KEYS), mavgKeys: m.get("xenoflow_mavg_keys") ?? NaN };
  } finally {
    await c.stop();
  }
}

function enrichLines(e: EnrichBench): string[] {
  const lossFree = Math.max(0, ...e.ramp.filter((s) => s.sent === s.decoded).map((s) => s.fps));
  const cpuM = (ss: readonly Step[]) => fmt(stat(ss.map((s) => s.cpuPerMFlows)), (x) => x.toFixed(3));
  return [
    `| loopback at 1M flows/s, 100 000 hosts a side, a window by \`src country\`, \`dst as\`: CPU-s per M flows with both databases ${cpuM(e.enriched)} / without ${cpuM(e.plain)} (${e.plain.length} rounds) | ${fmt(stat(e.enriched.map((s, r) => s.cpuPerMFlows / e.plain[r]!.cpuPerMFlows)), (x) => x.toFixed(2))}× (per round) | ≤ 1.25× |`,
    `| loopback, loss-free flows/s on one pinned core with both databases (${e.ramp.map((s) => M(s.fps)).join(", ")} M/s, ${STEP_S} s each) | ${M(lossFree)} M | ≥ 3 M |`,
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  const head = machine();
  console.error(`xenoflow bench: ${head}`);
  if (process.argv.includes("--enrich-only")) {
    console.error("(e) enrichment");
    console.log(enrichLines(await enrichBench(CONFIG, RAMP, STEP_S, BIG_KEYS)).join("\n"));
    return;
  }
  console.error("(a) in process");
  const inproc: InProcResult[] = await runInProcess({
    config: CONFIG,
    gen: {},
    datagrams: quick ? 30_000 : 100_000,
    runs: quick ? 3 : 5,
    simFps: 4e6,
  });
  // sFlow v5 as `gen --version sflow` sends it: 7 samples of 128-byte headers (packets of 114+ octets) per datagram.
  const inprocSflow = (await runInProcess({ config: CONFIG, gen: { version: "sflow", records: "7", sampling: "1000", octets: "114-1500" }, datagrams: quick ? 30_000 : 100_000, runs: quick ? 3 : 5, simFps: 4e6 }, ["decode"]))[0]!;
  const inprocBig = (await runInProcess({ config: CONFIG, gen: { "hosts-src": "100000", "hosts-dst": "100000", "dst-nets": "10.0.0.0/8", pool: "3449" }, datagrams: quick ? 30_000 : 100_000, runs: quick ? 3 : 5, simFps: 4e6 }, ["decode+monitor"]))[0]!;
  console.error("(b) end to end over loopback");
  const ramps: Step[][] = [];
  for (let r = 0; r < RAMPS; r++) {
    console.error(` ramp ${r + 1}/${RAMPS}`);
    ramps.push(await ramp());
  }
  const sflowRamps: Step[][] = [];
  for (let r = 0; r < RAMPS; r++) {
    console.error(` sFlow ramp ${r + 1}/${RAMPS}`);
    sflowRamps.push(await ramp(SFLOW_RAMP, SFLOW, 7, SFLOW_WARM_UP));
  }
  console.error("(c) memory with 100 000 keys per window");
  const mem = await memory();
  console.error("(d) every core: one and two workers");
  const wIn = await workersInProcess("10000", quick ? 30_000 : 100_000, quick ? 3 : 11);
  const wLoop = await workersLoopback(1e6, quick ? 3 : 5, quick ? 3 : 9);
  console.error("(e) enrichment");
  const enrich = await enrichBench(CONFIG, RAMP, STEP_S, BIG_KEYS);

  const lossFreeOf = (rs: Step[][]) => stat(rs.map((st) => Math.max(0, ...st.filter((s) => s.sent === s.decoded).map((s) => s.fps))));
  const lossFree = lossFreeOf(ramps);
  const atM = ramps.map((st) => st.find((s) => s.fps === 1e6)).filter((s): s is Step => s !== undefined);
  const cpuAt1M = atM.length > 0 ? stat(atM.map((s) => s.cpuPerMFlows)) : null;
  const maxDecoded = stat(ramps.map((st) => Math.max(...st.map((s) => s.decoded / STEP_S))));
  const lines: string[] = [];
  lines.push(`Run ${started.toISOString()} with \`make bench\` (\`node_modules/.bin/bun test/bench/run.ts${quick ? " --quick" : ""}\`) on ${head}.`);
  lines.push("Config `config/examples/bench.toml`; NetFlow v9, 29 records per datagram, `xenoflow gen` defaults unless noted. Medians with (min–max).");
  lines.push("");
  lines.push("| measure | result | goal |");
  lines.push("|---|---|---|");
  const inp = (stage: string) => inproc.find((r) => r.stage === stage)!;
  lines.push(`| in process, decode only, M records/CPU-s | ${fmt(inp("decode").cpu, M)} | |`);
  lines.push(`| in process, decode only, sFlow v5 (7 samples of 128-byte headers per datagram), M samples/CPU-s | ${fmt(inprocSflow.cpu, M)} | ≥ 10 |`);
  lines.push(`| in process, decode + monitor, M records/CPU-s (gen mix: ${inp("decode+monitor").keys}) | ${fmt(inp("decode+monitor").cpu, M)} | |`);
  lines.push(`| in process, decode + monitor, 100 000 keys (${inprocBig.keys}), M records/CPU-s | ${fmt(inprocBig.cpu, M)} | |`);
  lines.push(`| in process, debug mode: decode + monitor + every flow written to a file as a JSON line, M records/CPU-s | ${fmt(inp("dump").cpu, M)} | ≥ 1 |`);
  lines.push(`| in process, JS heap growth over the measured runs, bytes per M records (decode / decode + monitor / debug mode; indicative: JIT and GC move it too) | ${["decode", "decode+monitor", "dump"].map((s) => Math.round(inp(s).heapPerM)).join(" / ")} | 0 |`);
  lines.push(`| loopback, loss-free flows/s on one pinned core (${RAMPS} ramps of ${RAMP.map(M).join(", ")} M/s, ${STEP_S} s each) | ${fmt(lossFree, M)} M | ≥ 4 M |`);
  lines.push(`| loopback, sFlow v5 (\`gen ${SFLOW.join(" ")}\`), loss-free flow samples/s on one pinned core (${RAMPS} ramps of ${SFLOW_RAMP.map(M).join(", ")} M/s, ${STEP_S} s each, after 2 s at ${M(SFLOW_WARM_UP)} M/s) | ${fmt(lossFreeOf(sflowRamps), M)} M | ≥ 2 M |`);
  lines.push(`| loopback, most flows/s decoded in one step | ${fmt(maxDecoded, M)} M | |`);
  lines.push(`| loopback, CPU-s per million flows at 1M flows/s (utime+stime, all threads) | ${cpuAt1M ? fmt(cpuAt1M, (x) => x.toFixed(3)) : "n/a"} | ≤ 0.29 |`);
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  lines.push(`| RSS with 100 000 keys per window (${mem.keys}; mavg keys live ${mem.mavgKeys}), VmRSS / VmHWM MiB: before the first window close | ${mib(mem.first.rssKiB)} / ${mib(mem.first.hwmKiB)} | < 120 |`);
  lines.push(`| the same, after a window close (~144 000 rows rendered, spooled and written to SQLite) | ${mib(mem.close.rssKiB)} / ${mib(mem.close.hwmKiB)} | < 120 |`);
  lines.push(`| loopback at 1M flows/s with 100 000 keys per window, a step holding a window close: datagrams the kernel dropped | ${mem.close.kernelDrops} | 0 |`);
  lines.push(`| two workers / one, datagrams pre-loaded in memory, flows per wall second (one: ${fmt(stat(wIn.one.wall), M)} M, two: ${fmt(stat(wIn.two.wall), M)} M) | ${fmt(stat(wIn.ratios), (x) => x.toFixed(2))}× (per round) | ≥ 1.7× |`);
  const cpuM = (xs: readonly number[]) => fmt(stat(xs), (x) => x.toFixed(3));
  lines.push(`| loopback at 1M flows/s, \`gen --exporters 4\`, CPU-s per M flows: two workers on cores 0-1 ${cpuM(wLoop.two)} / one worker pinned to core 0 ${cpuM(wLoop.pinned)} (one worker on cores 0-1: ${cpuM(wLoop.one)}) | ${fmt(stat(wLoop.ratios), (x) => x.toFixed(2))}× (per round) | ≤ 1.15× |`);
  lines.push(...enrichLines(enrich));
  lines.push("");
  lines.push("Every loopback step (loss = sent − decoded; kernel drops are datagrams of 29 flows (7 flow samples for sFlow) dropped by a full receive buffer, `/proc/net/udp`; other = loss not explained by them):");
  lines.push("");
  lines.push("| ramp | asked M/s | sent M/s | decoded | loss % | kernel drops | other loss | CPU-s | CPU-s/M flows | VmRSS MiB |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|");
  const row = (name: string, s: Step) => lines.push(`| ${name} | ${M(s.fps)} | ${M(s.sentFps)} | ${s.decoded} | ${s.lossPct.toFixed(3)} | ${s.kernelDrops} | ${s.otherLoss} | ${s.cpuSeconds.toFixed(2)} | ${s.cpuPerMFlows.toFixed(3)} | ${(s.rssKiB / 1024).toFixed(0)} |`);
  ramps.forEach((st, r) => st.forEach((s) => row(String(r + 1), s)));
  sflowRamps.forEach((st, r) => st.forEach((s) => row(`sFlow ${r + 1}`, s)));
  row("100k keys", mem.first);
  row("100k keys, a close", mem.close);
  const report = lines.join("\n");
  console.log(report);
  if (!process.argv.includes("--no-write") && !quick) {
    const doc = readFileSync(DOC, "utf8");
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    if (a < 0 || b < a) throw new Error(`${DOC} has no ${BEGIN} ... ${END} section`);
    writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${report}\n${doc.slice(b)}`);
    console.error(`written to ${DOC}`);
  }
}

await main();
