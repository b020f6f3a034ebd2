// UDP sockets on every listen address. Receive stamps arrival time and the exporter's address and
// hands the datagram on; it knows nothing of NetFlow. The exporter allowlist is applied here so
// that unwanted datagrams cost no decode time.
import dgram from "node:dgram";
import type { Cidr, ListenAddress } from "../config/types.ts";
import { cidrContains, parseAddressWords } from "../net/address.ts";

export interface Datagram {
  payload: Uint8Array;
  addr: string;
  port: number;
  arrivalMs: number;
}

export interface ReceiveCounters {
  datagrams: number;
  bytes: number;
  denied: number; // dropped by the allowlist
}

export interface ReceiverOptions {
  listen: readonly ListenAddress[];
  recvBuffer: number;
  allow: readonly Cidr[];
  reusePort?: boolean;
  /** Called synchronously per datagram with one reused object: copy what must outlive the call. */
  onDatagram: (d: Datagram) => void;
  /** One line per problem worth telling the operator (a capped receive buffer). */
  warn: (message: string) => void;
}

export interface Receiver {
  readonly counters: ReceiveCounters;
  /** The bound addresses (port 0 in the config becomes the kernel's choice). */
  readonly bound: readonly ListenAddress[];
  close(): Promise<void>;
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const counters: ReceiveCounters = { datagrams: 0, bytes: 0, denied: 0 };
  const sockets: dgram.Socket[] = [];
  const bound: ListenAddress[] = [];
  const words = new Uint32Array(4);
  // One Datagram object for every delivery: the hot path allocates nothing of its own per datagram.
  const d: Datagram = { payload: new Uint8Array(0), addr: "", port: 0, arrivalMs: 0 };
  let lastRaw = "";
  let lastAddr = "";
  let warnedBuffer = false;
  const allowed = (addr: string): boolean => {
    if (opts.allow.length === 0) return true;
    const family = parseAddressWords(addr, words);
    if (family === 0) return false;
    for (const c of opts.allow) if (cidrContains(c, family, words)) return true;
    return false;
  };
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
        if (opts.allow.length > 0 && !allowed(addr)) {
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
        sock.once("error", reject);
        sock.bind(l.port, l.host, () => {
          sock.off("error", reject);
          resolve();
        });
      });
      sock.on("error", (e) => opts.warn(`udp ${l.host}:${l.port}: ${e.message}`));
      const got = applyRecvBuffer(sock, opts.recvBuffer);
      if (got < opts.recvBuffer && !warnedBuffer) {
        warnedBuffer = true;
        opts.warn(
          `receive buffer capped at ${got} bytes (asked for ${opts.recvBuffer}); raise it with ` +
            `sysctl -w net.core.rmem_max=${opts.recvBuffer} to avoid drops during bursts`,
        );
      }
      const a = sock.address();
      bound.push({ host: l.host, port: a.port });
    }
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
  return {
    counters,
    bound,
    close: () => Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
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
