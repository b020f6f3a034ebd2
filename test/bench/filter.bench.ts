// Filter evaluation speed on one full batch (not part of `bun test`):
//   node_modules/.bin/bun test/bench/filter.bench.ts
// Prints predicates per second for each filter and backend; the record mix is fixed by a seeded
// generator so runs are comparable.

import type { Cidr } from "../../src/config/types.ts";
import { generate, generateSelect } from "../../src/filter/codegen.ts";
import { lower } from "../../src/filter/lower.ts";
import { parseFilter } from "../../src/filter/parser.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed;
}

function fill(b: FlowBatch): void {
  b.length = b.capacity;
  for (let i = 0; i < b.length; i++) {
    const v6 = rnd() % 10 === 0;
    b.family[i] = v6 ? 6 : 4;
    for (let k = 0; k < (v6 ? 4 : 1); k++) {
      b.srcAddr[i * 4 + k] = rnd();
      b.dstAddr[i * 4 + k] = rnd();
    }
    if (!v6 && rnd() % 3 === 0) b.srcAddr[i * 4] = (0x0a000000 | (rnd() & 0xffffff)) >>> 0;
    const r = rnd() % 10;
    b.dstPort[i] = r < 3 ? 443 : r < 5 ? 80 : rnd() & 0xffff;
    b.srcPort[i] = rnd() & 0xffff;
    b.proto[i] = rnd() % 4 === 0 ? 17 : 6;
    b.tcpFlags[i] = rnd() & 0xff;
  }
}

const LIST: Cidr[] = Array.from({ length: 1000 }, (_, k) => ({
  family: 4,
  words: [((k * 2654435761) & 0xffffff00) >>> 0, 0, 0, 0],
  bits: 24,
  text: "",
}));

const FILTERS = [
  "net 10.0.0.0/8",
  "dst port 80 or dst port 443",
  "proto tcp and (dst port 80 or dst port 443) and not src net 192.168.0.0/16",
  "net 2001:db8::/32",
  "src net @thousand",
  "tcp-flags syn and not tcp-flags ack",
];

const batch = createBatch();
fill(batch);
const ctx = { fields: [], extraIndex: () => 0, list: () => LIST };

function measure(pred: (b: FlowBatch, i: number) => boolean): number {
  let best = 0;
  for (let round = 0; round < 7; round++) {
    const t0 = Bun.nanoseconds();
    let hits = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) for (let i = 0; i < batch.length; i++) if (pred(batch, i)) hits++;
    const rate = (reps * batch.length) / ((Bun.nanoseconds() - t0) / 1e9);
    if (hits < 0) console.log(hits);
    if (round > 1) best = Math.max(best, rate);
  }
  return best;
}

function compiled(src: string) {
  const r = parseFilter(src, []);
  if (!r.ok) throw new Error(r.message);
  const test = lower(r.ast, ctx);
  return { predicate: generate(test), select: generateSelect(test) };
}

function measureSelect(select: ReturnType<typeof generateSelect>): number {
  const out = new Uint32Array(batch.capacity);
  let best = 0;
  for (let round = 0; round < 7; round++) {
    const t0 = Bun.nanoseconds();
    let hits = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) hits += select(batch, null, batch.length, out);
    const rate = (reps * batch.length) / ((Bun.nanoseconds() - t0) / 1e9);
    if (hits < 0) console.log(hits);
    if (round > 1) best = Math.max(best, rate);
  }
  return best;
}

const m = (x: number) => `${(x / 1e6).toFixed(1)}M/s`.padStart(9);
const [, , one] = process.argv;
if (one !== undefined) {
  // Child: one predicate alone, so the call site in measure() stays monomorphic.
  console.log(measure(compiled(FILTERS[Number(one)] ?? "").predicate));
} else {
  console.log(`${"filter (records/s)".padEnd(76)}     alone    shared    select`);
  const all = FILTERS.map(compiled);
  // Warm the shared call site with every predicate first, as a monitor evaluating many MOs does.
  for (const c of all) measure(c.predicate);
  for (const [k, src] of FILTERS.entries()) {
    const out = Bun.spawnSync([process.execPath, import.meta.path, String(k)]).stdout.toString();
    const alone = Number(out.trim());
    const c = all[k]!;
    console.log(`${src.padEnd(76)} ${m(alone)} ${m(measure(c.predicate))} ${m(measureSelect(c.select))}`);
  }
}
