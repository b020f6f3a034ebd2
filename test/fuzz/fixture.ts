// Regression fixtures: a crash's input plus the datagrams before it that built the decoder's state
// (templates, held data), one per line as `EXPORTER ARRIVAL_MS HEX`, `#` lines are comments. The
// last line is the datagram that failed. Replay decodes them in order with one fresh decoder.
// Hand-made edge cases also carry `# expect {json}`: what the replay must produce, counters included.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FixtureLine {
  addr: string;
  arrivalMs: number;
  payload: Uint8Array;
}

export const FIXTURES = join(import.meta.dir, "../fixtures/fuzz");

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function formatFixture(comment: string[], lines: readonly FixtureLine[]): string {
  return [...comment.map((c) => `# ${c}`), ...lines.map((l) => `${l.addr} ${l.arrivalMs} ${toHex(l.payload)}`)].join("\n") + "\n";
}

export function parseFixture(text: string): FixtureLine[] {
  return text.split("\n").flatMap((raw) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return [];
    const [addr, at, hex] = line.split(/\s+/);
    if (addr === undefined || at === undefined || hex === undefined || !/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`bad fixture line: ${line.slice(0, 60)}`);
    return [{ addr, arrivalMs: Number(at), payload: new Uint8Array(Buffer.from(hex, "hex")) }];
  });
}

export function writeFixture(dir: string, name: string, comment: string[], lines: readonly FixtureLine[]): string {
  const file = join(dir, `${name}.hex`);
  writeFileSync(file, formatFixture(comment, lines));
  return file;
}

export interface FixtureExpect {
  batched: number;
  printed: number;
  templates: number;
  /** The fault counters that are not zero. */
  faults: Record<string, number>;
}

export function listFixtures(dir = FIXTURES): { name: string; lines: FixtureLine[]; expect: FixtureExpect | null }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".hex"))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), "utf8");
      const e = /^# expect (\{.*\})$/m.exec(text);
      return { name: f, lines: parseFixture(text), expect: e ? (JSON.parse(e[1]!) as FixtureExpect) : null };
    });
}
