// The enrichment stage's cost per flow, in-process (not part of `bun test`):
//   node_modules/.bin/bun test/bench/enrich.bench.ts
// Builds a country and an ASN .mmdb (10 000 networks each, written by
// test/fixtures/enrich/write-mmdb.pl), 1 000 [[network]] prefixes and two exporters' interface
// roles, then times batches of 4096 flows over a pool of distinct addresses through: the monitor
// alone (one window keyed by src host, dst host; the plain path), the stage alone in each setup,
// and stage + monitor. Prints CPU ns per record (best of rounds) and the cache's hit rate. Each
// measurement runs in its own process, as the collector runs one stage per thread: in one process
// the stages of earlier setups leave the engine's type profiles polymorphic and slow later ones.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createEnrichStage, type EnrichStage } from "../../src/enrich/stage.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { createLogger } from "../../src/log.ts";
import { createMonitor } from "../../src/monitor/mo.ts";
import { compilePredicates } from "../../src/collector/predicates.ts";
import { tempDir, writeMmdb } from "../enrich/mmdb-fixtures.ts";

let seed = 12345;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
const COUNTRIES = ["US", "DE", "RU", "CN", "NL", "FR", "GB", "JP", "BR", "IN"];

// Child: --one DIR GROUP SETUP (SETUP -1: the monitor alone) prints one measurement.
const one = process.argv.indexOf("--one");
const tmp = one > 0 ? { dir: process.argv[one + 1]!, remove() {} } : tempDir();
if (one < 0) {
  const countryNets: Record<string, Record<string, unknown>> = {};
  const asnNets: Record<string, Record<string, unknown>> = {};
  for (let k = 0; k < 10_000; k++) {
    const a = `${1 + (rnd() % 222)}.${rnd() & 255}.${rnd() & 255}.0/${16 + (rnd() % 9)}`.replace(/\.\d+\.0\/16$/, ".0.0/16");
    const bits = Number(a.split("/")[1]);
    const w = a.split("/")[0]!.split(".").map(Number);
    const v = ((w[0]! << 24) | (w[1]! << 16) | (w[2]! << 8)) & (bits === 32 ? -1 : ~((1 << (32 - bits)) - 1));
    const text = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${bits}`;
    countryNets[text] = { country: { iso_code: COUNTRIES[k % COUNTRIES.length] } };
    asnNets[text] = { autonomous_system_number: 64512 + (k % 1000), autonomous_system_organization: `AS ${k % 1000}` };
  }
  writeMmdb(join(tmp.dir, "country.mmdb"), "DBIP-Country-Lite", countryNets);
  writeMmdb(join(tmp.dir, "asn.mmdb"), "DBIP-ASN-Lite", asnNets);
}
const networks = Array.from({ length: 1000 }, (_, k) => `[[network]]\nprefix = "${10 + (k >> 8)}.${k & 255}.0.0/16"\nname = "n${k}"\nrole = "${k % 2 ? "customer" : "server"}"\n`).join("\n");
const exporters = [1, 2].map((e) => `[[exporter]]\naddress = "192.0.2.${e}"\nname = "e${e}"\n  [[exporter.interface]]\n  index = 1\n  role = "external"\n  [[exporter.interface]]\n  index = 2\n  role = "internal"\n`).join("\n");
const MO = `[[mo]]\nname = "all"\nfilter = ""\n  [[mo.window]]\n  name = "pairs"\n  every = "3600s"\n  key = ["src host", "dst host"]\n  values = ["octets", "packets"]\n`;

function config(enrich: string) {
  const file = join(tmp.dir, `${Bun.hash(enrich)}.toml`);
  writeFileSync(file, `data_dir = "${tmp.dir}"\n${enrich}\n${MO}`);
  return loadConfig(file, { env: {}, expressions: expressionChecker });
}

/**
 * `random`: a third inside the networks, the rest anywhere, every address in its own /24 or so
 * (the worst case for the cache). Otherwise as `xenoflow gen --hosts-src N` lays them out:
 * consecutive hosts of 10/8 and of one /8 the databases know.
 */
function batches(distinct: number, random: boolean): FlowBatch[] {
  seed = 4242;
  const pool = new Uint32Array(distinct);
  for (let k = 0; k < distinct; k++) {
    if (random) pool[k] = k % 3 === 0 ? (0x0a000000 | (rnd() & 0x03ffffff)) >>> 0 : rnd();
    else pool[k] = ((k & 1 ? 0x0a000001 : 0x2d000001) + (k >> 1) + 2 * Math.floor((k >> 1) / 254)) >>> 0;
  }
  return Array.from({ length: 64 }, () => {
    const b = createBatch();
    b.length = b.capacity;
    for (let i = 0; i < b.length; i++) {
      b.family[i] = 4;
      b.srcAddr[i * 4] = pool[rnd() % distinct]!;
      b.dstAddr[i * 4] = pool[rnd() % distinct]!;
      b.exporterFamily[i] = 4;
      b.exporterAddr[i * 4] = 0xc0000201 + ((i >> 9) & 1);
      b.inIf[i] = 1 + (rnd() % 3);
      b.outIf[i] = 1 + (rnd() % 3);
      b.octets[i] = 1000;
      b.packets[i] = 1;
      b.sampling[i] = 1;
      b.arrivalMs[i] = 1_700_000_000_000;
    }
    return b;
  });
}

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** CPU ns per record (the machine is shared: wall time would count waiting), best of 9 rounds over every batch after 3 to warm up. */
function time(bs: FlowBatch[], run: (b: FlowBatch) => void): number {
  let best = Infinity;
  for (let round = 0; round < 12; round++) {
    // The process's CPU counts the collector's threads too: collect the garbage of the warm-up's
    // misses (and of the previous setup) before timing.
    if (round === 3) Bun.gc(true);
    const t0 = cpuNs();
    for (const b of bs) run(b);
    const ns = (cpuNs() - t0) / (bs.length * 4096);
    if (round > 2) best = Math.min(best, ns);
  }
  return best;
}

const log = createLogger({ write: () => {} });
const SETUPS: [string, string][] = [
  ["country + asn dbs", `[enrich]\ncountry = "country.mmdb"\nasn = "asn.mmdb"\n`],
  ["1000 networks", networks],
  ["interface roles", exporters],
  ["all of it", `[enrich]\ncountry = "country.mmdb"\nasn = "asn.mmdb"\n${networks}\n${exporters}`],
];

const GROUPS = [[10_000, true], [100_000, true], [100_000, false]] as const;

function measure(group: number, setup: number): string {
  const [distinct, random] = GROUPS[group]!;
  const bs = batches(distinct, random);
  if (setup < 0) {
    const plain = config("");
    const m0 = createMonitor(plain, compilePredicates(plain, []));
    return time(bs, (b) => m0.process(b)).toFixed(1);
  }
  const c = config(SETUPS[setup]![1]);
  const stage = createEnrichStage(c, log) as EnrichStage;
  const alone = time(bs, (b) => stage.process(b));
  const m = createMonitor(c, compilePredicates(c, []));
  const both = time(bs, (b) => {
    stage.process(b);
    m.process(b);
  });
  const n = stage.counters();
  stage.close();
  const hit = n.cacheHits + n.cacheMisses === 0 ? "" : `, cache hits ${((100 * n.cacheHits) / (n.cacheHits + n.cacheMisses)).toFixed(1)}%`;
  return `${alone.toFixed(1).padStart(6)} ns/record; stage + monitor ${both.toFixed(1)}${hit}`;
}

if (one > 0) console.log(measure(Number(process.argv[one + 2]), Number(process.argv[one + 3])));
else {
  const child = (group: number, setup: number): string => {
    const r = Bun.spawnSync([process.execPath, import.meta.path, "--one", tmp.dir, String(group), String(setup)], { stderr: "inherit" });
    return r.stdout.toString().trim();
  };
  GROUPS.forEach(([distinct, random], g) => {
    const base = child(g, -1);
    console.log(`${distinct} distinct addresses, ${random ? "random" : "consecutive hosts (gen's layout)"}; monitor alone (plain path): ${base} ns/record`);
    SETUPS.forEach(([name], k) => {
      const line = child(g, k);
      const both = Number(/stage \+ monitor ([\d.]+)/.exec(line)?.[1]);
      console.log(`  ${name.padEnd(18)} stage ${line.replace(/(stage \+ monitor [\d.]+)/, `$1 (x${(both / Number(base)).toFixed(2)})`)}`);
    });
  });
  tmp.remove();
}
