// Batch decoding speed on the benchmark shape: NetFlow v9, one data flowset of 29 records of 47
// bytes (IPv4 src/dst/next hop, ports, proto, tos, tcp flags, ip version, direction, in/out if,
// octets, packets, first/last switched, 2-byte AS numbers, masks) + 1 pad byte = 1388-byte datagram.
// Run: node_modules/.bin/bun test/bench/decode.bench.ts   (prints records/s; not part of `bun test`)
import { createBatch } from "../../src/flow/batch.ts";
import { createDecoder } from "../../src/decode/index.ts";

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

if (import.meta.main) {
  const data = benchData();
  const dec = createDecoder({ templatesPerExporter: 64, templatesTotal: 1024, pendingBytesPerExporter: 1 << 20, pendingMs: 60_000 });
  const batch = createBatch();
  let flushed = 0;
  const onFull = (b: typeof batch) => {
    flushed += b.length;
    b.length = 0;
  };
  const ex = { addr: "192.0.2.1", id: 0 };
  dec.decodeToBatch(benchTemplate(), ex, 0, batch, onFull);
  console.log(`datagram ${data.length} bytes, ${RECORDS} records of ${RECORD} bytes`);
  const rates: number[] = [];
  for (let round = 0; round < 10; round++) {
    const n = 200_000;
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k++) dec.decodeToBatch(data, ex, k, batch, onFull);
    const cu = process.cpuUsage(c0);
    const s = (cu.user + cu.system) / 1e6; // CPU time: other processes on the machine do not count
    rates.push((n * RECORDS) / s / 1e6);
    console.log(`round ${round}: ${rates[round]!.toFixed(1)} M records/s (${((n * data.length * 8) / s / 1e9).toFixed(2)} Gbit/s of export)`);
  }
  const sorted = rates.slice(2).sort((a, b) => a - b); // the first rounds include JIT warm-up
  console.log(`best ${sorted[sorted.length - 1]!.toFixed(1)} M records/s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} M records/s (one core)`);
  if (dec.stats.records !== flushed + batch.length) throw new Error("records lost");
  const bad = Object.entries(dec.faults).filter(([, n]) => n > 0);
  if (bad.length) throw new Error(`faults: ${JSON.stringify(bad)}`);
}
