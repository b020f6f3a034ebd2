// Batch decoding speed on the benchmark shape: NetFlow v9, one data flowset of 29 records of 47
// bytes (IPv4 src/dst/next hop, ports, proto, tos, tcp flags, ip version, direction, in/out if,
// octets, packets, first/last switched, 2-byte AS numbers, masks) + 1 pad byte = 1388-byte datagram.
// Beside it, sFlow v5 as `gen --version sflow` sends it: 7 flow samples of 128-byte raw headers
// (Ethernet, IPv4, TCP/UDP) per datagram (1372 bytes), each sample one record.
// Run: node_modules/.bin/bun test/bench/decode.bench.ts   (prints records/s; not part of `bun test`)
import { createBatch } from "../../src/flow/batch.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { parseNets } from "../../src/gen/net.ts";
import { buildPool } from "../../src/gen/pool.ts";

// [IANA element, length]
export const BENCH_FIELDS: readonly [number, number][] = [
  [8, 4], [12, 4], [15, 4], [10, 2], [14, 2], [2, 4], [1, 4], [22, 4], [21, 4], [7, 2], [11, 2],
  [6, 1], [4, 1], [5, 1], [16, 2], [17, 2], [9, 1], [13, 1], [60, 1], [61, 1],
];
const RECORD = BENCH_FIELDS.reduce((n, [, l]) => n + l, 0);
const RECORDS = 29;

function header(b: DataView, count: number): void {
  b.setUint16(0, 9);
  b.setUint16(2, count);
  b.setUint32(4, 3_600_000); // sysUptime
  b.setUint32(8, 1_700_000_000); // unix secs
  b.setUint32(12, 1); // sequence
  b.setUint32(16, 0); // source id
}

export function benchTemplate(): Uint8Array {
  const len = 20 + 4 + 4 + BENCH_FIELDS.length * 4;
  const v = new DataView(new ArrayBuffer(len));
  header(v, 1);
  v.setUint16(20, 0);
  v.setUint16(22, len - 20);
  v.setUint16(24, 256);
  v.setUint16(26, BENCH_FIELDS.length);
  BENCH_FIELDS.forEach(([id, l], k) => {
    v.setUint16(28 + 4 * k, id);
    v.setUint16(30 + 4 * k, l);
  });
  return new Uint8Array(v.buffer);
}

export function benchData(): Uint8Array {
  const setLen = 4 + RECORDS * RECORD + 1;
  const v = new DataView(new ArrayBuffer(20 + setLen));
  header(v, RECORDS);
  v.setUint16(20, 256);
  v.setUint16(22, setLen);
  for (let r = 0; r < RECORDS; r++) {
    let p = 24 + r * RECORD;
    for (const [id, l] of BENCH_FIELDS) {
      const value = id === 8 ? 0x0a000000 + r : id === 22 ? 3_500_000 + r : id === 21 ? 3_590_000 : (id * 7 + r) % 251;
      for (let k = l - 1; k >= 0; k--) v.setUint8(p + k, Math.floor(value / 256 ** (l - 1 - k)) & 0xff);
      p += l;
    }
  }
  return new Uint8Array(v.buffer);
}

/** One sFlow datagram of `samples` flow samples, every header 128 bytes (packets of 200+ octets). */
export function benchSflow(samples = 7): Uint8Array {
  const pool = buildPool(
    {
      version: "sflow", records: samples, datagrams: 1, sampling: 1000, seed: 1, srcNets: parseNets("10.0.0.0/8"),
      dstNets: parseNets("192.0.2.0/24"), hostsSrc: 1000, hostsDst: 1000, zipf: 0, webShare: 0.5, octetsMin: 200, octetsMax: 1500,
    },
    { exportMs: 1_700_000_000_000, uptimeMs: 3_600_000, sequence: 0, domain: 0 },
  );
  return pool.datagrams[0]!;
}

function measure(name: string, data: Uint8Array, records: number, setup: Uint8Array | null): void {
  const dec = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000 });
  const batch = createBatch();
  let flushed = 0;
  const onFull = (b: typeof batch) => {
    flushed += b.length;
    b.length = 0;
  };
  const ex = { addr: "192.0.2.1", id: 0 };
  if (setup) dec.decodeToBatch(setup, ex, 0, batch, onFull);
  console.log(`${name}: datagram ${data.length} bytes, ${records} records`);
  const rates: number[] = [];
  for (let round = 0; round < 10; round++) {
    const n = 200_000;
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k++) dec.decodeToBatch(data, ex, k, batch, onFull);
    const cu = process.cpuUsage(c0);
    const s = (cu.user + cu.system) / 1e6; // CPU time: other processes on the machine do not count
    rates.push((n * records) / s / 1e6);
    console.log(`round ${round}: ${rates[round]!.toFixed(1)} M records/s (${((n * data.length * 8) / s / 1e9).toFixed(2)} Gbit/s of export)`);
  }
  const sorted = rates.slice(2).sort((a, b) => a - b); // the first rounds include JIT warm-up
  console.log(`${name}: best ${sorted[sorted.length - 1]!.toFixed(1)} M records/s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} M records/s (one core)`);
  if (dec.stats.records !== flushed + batch.length) throw new Error("records lost");
  // The same sFlow datagram again and again repeats its sequence numbers: no fault, no loss.
  const bad = Object.entries(dec.faults).filter(([, n]) => n > 0);
  if (bad.length) throw new Error(`faults: ${JSON.stringify(bad)}`);
}

if (import.meta.main) {
  measure("NetFlow v9", benchData(), RECORDS, benchTemplate());
  measure("sFlow v5", benchSflow(), 7, null);
}
