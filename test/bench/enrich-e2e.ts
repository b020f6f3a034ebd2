// `make bench`, enrichment (issue 24): `xenoflow run` with both databases against the same run
// without them, over loopback like e2e.ts. The config is config/examples/bench.toml plus a
// monitoring object keyed by `src country` and `dst as` (so the stage looks both sides up), and
// the country and ASN databases of 4 096 networks covering gen's 10/8 (test/enrich's perl
// writer); without [enrich] the same window keys every flow by "no country, AS 0".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asn, country, writeMmdb } from "../enrich/mmdb-fixtures.ts";
import { type Step, startCollector, step } from "./e2e.ts";

const COUNTRIES = ["US", "DE", "RU", "CN", "NL", "FR", "GB", "JP", "BR", "IN"];
const GEO_MO = `
[[mo]]
name = "geo"
filter = ""
  [[mo.window]]
  name = "pairs"
  every = "30s"
  key = ["src country", "dst as"]
  values = ["octets", "packets"]
`;

export interface EnrichBench {
  /**
   * At 1M flows/s with `flags` (100 000 hosts a side), per round: without and with both databases,
   * in turn; one pair of steps alone makes too noisy a ratio (docs/PERFORMANCE.md).
   */
  plain: Step[];
  enriched: Step[];
  /** With both databases: the rates stepped up until loss. */
  ramp: Step[];
}

/** The two configs (in a temp dir, beside their databases) and a way to remove them. */
function configs(base: string): { plain: string; enriched: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "xenoflow-bench-enrich-"));
  const countries: Record<string, Record<string, unknown>> = {};
  const ases: Record<string, Record<string, unknown>> = {};
  for (let k = 0; k < 4096; k++) {
    const net = `10.${k >> 4}.${(k & 15) << 4}.0/20`;
    countries[net] = country(COUNTRIES[k % COUNTRIES.length]!);
    ases[net] = asn(64512 + (k % 1000), `AS ${k % 1000}`);
  }
  writeMmdb(join(dir, "country.mmdb"), "DBIP-Country-Lite", countries);
  writeMmdb(join(dir, "asn.mmdb"), "DBIP-ASN-Lite", ases);
  // Before the first [[mo]]: [enrich] is a table of the top level.
  const text = readFileSync(base, "utf8");
  const at = text.indexOf("[[mo]]");
  const enrich = `[enrich]\ncountry = "${join(dir, "country.mmdb")}"\nasn = "${join(dir, "asn.mmdb")}"\n\n`;
  const plain = join(dir, "plain.toml");
  const enriched = join(dir, "enriched.toml");
  writeFileSync(plain, `${text}${GEO_MO}`);
  writeFileSync(enriched, `${text.slice(0, at)}${enrich}${text.slice(at)}${GEO_MO}`);
  return { plain, enriched, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One warm-up step, then the measured one, in a fresh collector. */
async function at1M(file: string, seconds: number, flags: readonly string[]): Promise<Step> {
  const c = await startCollector(file, 0);
  try {
    await step(c, 1e6, Math.min(2, seconds), flags);
    return await step(c, 1e6, seconds, flags);
  } finally {
    await c.stop();
  }
}

export async function enrichBench(base: string, rates: readonly number[], seconds: number, flags: readonly string[], rounds = 3): Promise<EnrichBench> {
  const cfg = configs(base);
  try {
    const plain: Step[] = [];
    const enriched: Step[] = [];
    for (let r = 0; r < rounds; r++) {
      // Each round in the other order, so that neither side always runs second.
      if (r % 2 === 0) plain.push(await at1M(cfg.plain, seconds, flags));
      enriched.push(await at1M(cfg.enriched, seconds, flags));
      if (r % 2 === 1) plain.push(await at1M(cfg.plain, seconds, flags));
      console.error(`  enrichment round ${r + 1}: with ${enriched[r]!.cpuPerMFlows.toFixed(3)} / without ${plain[r]!.cpuPerMFlows.toFixed(3)} CPU-s/M`);
    }
    const c = await startCollector(cfg.enriched, 0);
    const ramp: Step[] = [];
    try {
      // A first step warms the JIT up, as at1M's does.
      await step(c, 1e6, Math.min(2, seconds), flags);
      for (const fps of rates) {
        const s = await step(c, fps, seconds, flags);
        ramp.push(s);
        console.error(`  enriched ${(fps / 1e6).toFixed(2)}M/s: lost ${s.lossPct.toFixed(3)} %, ${s.cpuPerMFlows.toFixed(3)} CPU-s/M`);
        if (s.sent !== s.decoded) break;
      }
    } finally {
      await c.stop();
    }
    return { plain, enriched, ramp };
  } finally {
    cfg.remove();
  }
}
