// Receive cost alone: each receiver (src/receive/udp.ts) counting datagrams, nothing decoded,
// against `xenoflow gen` on core 1 at a fixed rate; CPU-microseconds of this process per datagram.
// The kinds alternate within one run, so a noisy machine affects both alike.
//   taskset -c 0 bun test/bench/receive.bench.ts [fps] [seconds] [rounds]
import { type ReceiverKind, startReceiver } from "../../src/receive/udp.ts";
import { gen } from "./e2e.ts";

const fps = Number(process.argv[2] ?? 1_000_000);
const seconds = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 3);

async function measure(kind: ReceiverKind): Promise<number> {
  let datagrams = 0;
  const r = await startReceiver(
    { listen: [{ host: "127.0.0.1", port: 0 }], recvBuffer: 16 << 20, allow: [], onDatagram: () => void datagrams++, warn: () => {} },
    kind,
  );
  try {
    const c0 = process.cpuUsage();
    const g = await gen(1, r.bound[0]!.port, fps, seconds, []);
    await Bun.sleep(200); // what is still queued
    const c = process.cpuUsage(c0);
    if (datagrams < g.datagrams) console.error(`${kind}: ${g.datagrams - datagrams} of ${g.datagrams} datagrams not received`);
    return (c.user + c.system) / datagrams;
  } finally {
    await r.close();
  }
}

for (let k = 0; k < rounds; k++) {
  const out: string[] = [];
  for (const kind of ["recvmmsg", "dgram"] as const) out.push(`${kind} ${(await measure(kind)).toFixed(2)} µs/datagram`);
  console.log(`round ${k + 1}: ${out.join(", ")} (${fps} flows/s, 29 per datagram)`);
}
