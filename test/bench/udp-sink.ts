// A UDP receiver that only counts, for measuring `xenoflow gen`'s top speed without a collector
// in the way: datagrams, bytes and NetFlow/IPFIX data records (read from each header). Prints one
// JSON line per second and a final one on SIGINT/SIGTERM.
//   bun test/bench/udp-sink.ts [PORT] [HOST]
// Records are counted from the v5 count, and for v9/IPFIX from the data sets' lengths and the
// generator's 45-byte record (src/gen/layout.ts), so the count is exact for generator traffic.
import dgram from "node:dgram";
import { RECORD_LENGTH } from "../../src/gen/layout.ts";
import { countDataRecords } from "../../src/gen/sets.ts";

const port = Number(process.argv[2] ?? 2055);
const host = process.argv[3] ?? "127.0.0.1";
const sock = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4", recvBufferSize: 64 << 20 });
let datagrams = 0;
let bytes = 0;
let records = 0;
sock.on("message", (m: Buffer) => {
  datagrams++;
  bytes += m.length;
  const v = new DataView(m.buffer, m.byteOffset, m.length);
  const version = m.length >= 2 ? v.getUint16(0) : 0;
  if (version === 5) records += v.getUint16(2);
  else if (version === 9) records += countDataRecords(v, 20, m.length);
  else if (version === 10) records += countDataRecords(v, 16, m.length);
});
const t0 = performance.now();
let last = { t: t0, records: 0, datagrams: 0 };
const report = () => {
  const t = performance.now();
  const dt = (t - last.t) / 1000;
  console.log(
    JSON.stringify({
      seconds: Math.round((t - t0) / 100) / 10,
      datagrams,
      bytes,
      records,
      rate_fps: Math.round((records - last.records) / dt),
      rate_dps: Math.round((datagrams - last.datagrams) / dt),
      record_length: RECORD_LENGTH,
    }),
  );
  last = { t, records, datagrams };
};
sock.bind(port, host, () => console.error(`counting on ${host}:${port}`));
const timer = setInterval(report, 1000);
const stop = () => {
  clearInterval(timer);
  report();
  sock.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
