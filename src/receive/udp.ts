// UDP sockets on every listen address. Receive stamps arrival time and the exporter's address and
// hands the datagram on; it knows nothing of NetFlow. The exporter allowlist is applied here so
// that unwanted datagrams cost no decode time.
//
// Two implementations behind one interface: recvmmsg(2) through bun:ffi (mmsg.ts: up to 64
// datagrams per system call into one reused buffer, read on a short timer) and node:dgram
// (dgram.ts: one event-loop callback and one Buffer per datagram). The first costs a third of
// the CPU per datagram (test/bench/receive.bench.ts); the second is the fallback where no Linux
// C library can be loaded, or when XENOFLOW_RECEIVER=dgram asks for it.
import { startDgramReceiver } from "./dgram.ts";
import { loadLibc } from "./libc.ts";
import { startMmsgReceiver } from "./mmsg.ts";
import type { Receiver, ReceiverKind, ReceiverOptions } from "./types.ts";

export type { Datagram, ReceiveCounters, Receiver, ReceiverKind, ReceiverOptions } from "./types.ts";

export function receiverKind(env: Record<string, string | undefined> = process.env): ReceiverKind {
  if (env.XENOFLOW_RECEIVER === "dgram") return "dgram";
  return loadLibc() === null ? "dgram" : "recvmmsg";
}

export function startReceiver(opts: ReceiverOptions, kind: ReceiverKind = receiverKind()): Promise<Receiver> {
  return kind === "recvmmsg" ? startMmsgReceiver(opts) : startDgramReceiver(opts);
}
