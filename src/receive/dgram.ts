// The node:dgram receiver: one 'message' callback and one Buffer per datagram. The fallback of
// udp.ts where recvmmsg(2) cannot be called.
import dgram from "node:dgram";
import type { ListenAddress } from "../config/types.ts";
import { cappedBufferWarning, createAllowCheck } from "./checks.ts";
import type { Datagram, Receiver, ReceiverOptions } from "./types.ts";

export async function startDgramReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const counters = { datagrams: 0, bytes: 0, denied: 0 };
  const sockets: dgram.Socket[] = [];
  const bound: ListenAddress[] = [];
  const allowed = createAllowCheck(opts);
  // One Datagram object for every delivery: the hot path allocates nothing of its own per datagram.
  const d: Datagram = { payload: new Uint8Array(0), addr: "", port: 0, arrivalMs: 0 };
  let lastRaw = "";
  let lastAddr = "";
  let warnedBuffer = false;
  try {
    for (const l of opts.listen) {
      const type = l.host.includes(":") ? "udp6" : "udp4";
      const sock = dgram.createSocket({ type, reuseAddr: opts.reusePort ?? false, reusePort: opts.reusePort ?? false, ipv6Only: type === "udp6" });
      sockets.push(sock);
      sock.on("message", (msg, rinfo) => {
        counters.datagrams++;
        counters.bytes += msg.length;
        const raw = rinfo.address;
        // The common case (an exporter seen before) is one comparison, not a string operation.
        const addr = raw === lastRaw ? lastAddr : normalizeMapped(raw);
        lastRaw = raw;
        lastAddr = addr;
        if (!allowed(addr)) {
          counters.denied++;
          return;
        }
        d.payload = msg;
        d.addr = addr;
        d.port = rinfo.port;
        d.arrivalMs = Date.now();
        opts.onDatagram(d);
      });
      await new Promise<void>((resolve, reject) => {
        // The same text as the recvmmsg receiver's: "bind HOST:PORT: EADDRINUSE" (node's names no port).
        const refused = (e: NodeJS.ErrnoException) => reject(new Error(`bind ${l.host}:${l.port}: ${e.code ?? e.message}`, { cause: e }));
        sock.once("error", refused);
        sock.bind(l.port, l.host, () => {
          sock.off("error", refused);
          resolve();
        });
      });
      sock.on("error", (e) => opts.warn(`udp ${l.host}:${l.port}: ${e.message}`));
      const got = applyRecvBuffer(sock, opts.recvBuffer);
      if (got < opts.recvBuffer && !warnedBuffer) {
        warnedBuffer = true;
        opts.warn(cappedBufferWarning(got, opts.recvBuffer));
      }
      bound.push({ host: l.host, port: sock.address().port });
    }
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
  return {
    counters,
    bound,
    kind: "dgram",
    close: async () => {
      // Idempotent, as the interface promises: node:dgram throws on a second close.
      const open = sockets.splice(0);
      await Promise.all(open.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

// Linux doubles SO_RCVBUF for bookkeeping and caps the request at net.core.rmem_max; report
// what the application can actually use.
function applyRecvBuffer(sock: dgram.Socket, bytes: number): number {
  try {
    sock.setRecvBufferSize(bytes);
  } catch {
    // The kernel refused the size outright; what is left is reported below.
  }
  try {
    const actual = sock.getRecvBufferSize();
    return process.platform === "linux" ? Math.floor(actual / 2) : actual;
  } catch {
    return 0;
  }
}

function normalizeMapped(addr: string): string {
  return addr.startsWith("::ffff:") && addr.includes(".") ? addr.slice(7) : addr;
}
