// The batched receiver: non-blocking UDP sockets read with recvmmsg(2), up to VLEN datagrams per
// system call, into one buffer reused for every call. Instead of an event-loop wakeup per
// datagram it drains every socket on a short timer (pace.ts: sized for about PER_WAKEUP datagrams
// at the current rate, within the receive buffer, longer when traffic stops). At a million flows
// per second one wakeup and a few system calls carry dozens of datagrams; the kernel's receive
// buffer holds what arrives in between.
import { lookup } from "node:dns/promises";
import { ptr } from "bun:ffi";
import type { ListenAddress } from "../config/types.ts";
import { formatV4Bytes, formatV6Bytes, parseAddressWords } from "../net/address.ts";
import { cappedBufferWarning, createAllowCheck } from "./checks.ts";
import * as C from "./libc.ts";
import { POLL_MS, createPace } from "./pace.ts";
import type { Datagram, Receiver, ReceiverOptions } from "./types.ts";

const VLEN = 64; // datagrams per recvmmsg(2)
const SLOT = 65536; // bytes per datagram: the largest UDP payload fits
const NAME = 32; // struct sockaddr_in6 (28 bytes), rounded up
const IOVEC = 16; // struct iovec on LP64
const MMSGHDR = 64; // struct mmsghdr on LP64: struct msghdr (56) + msg_len, padded
const SCRATCH = 64; // bind/getsockname address and socket option values
const ROUND = 1024; // datagrams per socket before the event loop gets a turn (timers, HTTP)
const CLOSE_ROUNDS = 32; // rounds of ROUND datagrams per socket read at close, at most

export async function startMmsgReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const libc = C.loadLibc();
  if (libc === null) throw new Error("recvmmsg receiver: no C library to load");
  const counters = { datagrams: 0, bytes: 0, denied: 0 };
  const allowed = createAllowCheck(opts);
  const mem = new ArrayBuffer(VLEN * (SLOT + NAME + IOVEC + MMSGHDR) + SCRATCH);
  const bytes = new Uint8Array(mem);
  const base = ptr(bytes);
  const NAMES = VLEN * SLOT;
  const IOV = NAMES + VLEN * NAME;
  const HDR = IOV + VLEN * IOVEC;
  const SCR = HDR + VLEN * MMSGHDR;
  const view = new DataView(mem);
  const u32 = new Uint32Array(mem);
  for (let i = 0; i < VLEN; i++) {
    view.setBigUint64(IOV + i * IOVEC, BigInt(base + i * SLOT), true); // iov_base
    view.setBigUint64(IOV + i * IOVEC + 8, BigInt(SLOT), true); // iov_len
    const h = HDR + i * MMSGHDR;
    view.setBigUint64(h, BigInt(base + NAMES + i * NAME), true); // msg_name
    view.setBigUint64(h + 16, BigInt(base + IOV + i * IOVEC), true); // msg_iov
    view.setBigUint64(h + 24, 1n, true); // msg_iovlen
  }
  const fds: number[] = [];
  const bound: ListenAddress[] = [];
  const fail = (what: string, l: ListenAddress): never => {
    const e = libc.errno();
    for (const fd of fds) libc.close(fd);
    throw new Error(`${what} ${l.host}:${l.port}: ${libc.strerror(e)} (errno ${e})`);
  };
  const setInt = (fd: number, level: number, name: number, value: number): boolean => {
    view.setInt32(SCR, value, true);
    return libc.setsockopt(fd, level, name, base + SCR, 4) === 0;
  };
  let warnedBuffer = false;
  let granted = Number.POSITIVE_INFINITY; // the smallest receive buffer of all sockets
  for (const l of opts.listen) {
    const w = new Uint32Array(4);
    let family = parseAddressWords(l.host, w);
    if (family === 0) family = parseAddressWords((await lookup(l.host)).address, w);
    const af = family === 6 ? C.AF_INET6 : C.AF_INET;
    const fd = libc.socket(af, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, C.IPPROTO_UDP);
    if (fd < 0) fail("socket", l);
    fds.push(fd);
    if (opts.reusePort && !(setInt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, 1) && setInt(fd, C.SOL_SOCKET, C.SO_REUSEPORT, 1))) fail("SO_REUSEPORT", l);
    if (af === C.AF_INET6 && !setInt(fd, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1)) fail("IPV6_V6ONLY", l);
    bytes.fill(0, SCR, SCR + 28);
    view.setUint16(SCR, af, true);
    view.setUint16(SCR + 2, l.port, false);
    // struct sockaddr_in puts the address at byte 4, struct sockaddr_in6 at byte 8 (after flowinfo).
    if (af === C.AF_INET) view.setUint32(SCR + 4, w[0] ?? 0, false);
    else for (let k = 0; k < 4; k++) view.setUint32(SCR + 8 + 4 * k, w[k] ?? 0, false);
    if (libc.bind(fd, base + SCR, af === C.AF_INET ? 16 : 28) !== 0) fail("bind", l);
    view.setUint32(SCR + 32, 28, true);
    if (libc.getsockname(fd, base + SCR, base + SCR + 32) !== 0) fail("getsockname", l);
    bound.push({ host: l.host, port: view.getUint16(SCR + 2, false) });
    // Linux doubles SO_RCVBUF for bookkeeping and caps the request at net.core.rmem_max.
    setInt(fd, C.SOL_SOCKET, C.SO_RCVBUF, Math.min(opts.recvBuffer, 0x7fffffff));
    view.setUint32(SCR + 32, 4, true);
    const got = libc.getsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, base + SCR, base + SCR + 32) === 0 ? Math.floor(view.getInt32(SCR, true) / 2) : 0;
    granted = Math.min(granted, got);
    if (got < opts.recvBuffer && !warnedBuffer) {
      warnedBuffer = true;
      opts.warn(cappedBufferWarning(got, opts.recvBuffer));
    }
  }

  const d: Datagram = { payload: bytes.subarray(0, 0), addr: "", port: 0, arrivalMs: 0 };
  // Each slot's view is kept and made anew only when the length changes: an exporter's datagrams
  // mostly have one length, and a view is an allocation per datagram otherwise.
  const views = Array.from({ length: VLEN }, (_, i) => bytes.subarray(i * SLOT, i * SLOT));
  // The last sender's address words and text: exporters send runs of datagrams.
  let lastFamily = 0;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  let lastAddr = "";
  const senderOf = (at: number): string => {
    const family = bytes[at] ?? 0; // sa_family, little-endian: AF_INET and AF_INET6 fit the low byte
    const o = at >> 2;
    const a0 = family === C.AF_INET ? (u32[o + 1] ?? 0) : (u32[o + 2] ?? 0);
    const a1 = family === C.AF_INET ? 0 : (u32[o + 3] ?? 0);
    const a2 = family === C.AF_INET ? 0 : (u32[o + 4] ?? 0);
    const a3 = family === C.AF_INET ? 0 : (u32[o + 5] ?? 0);
    if (family === lastFamily && a0 === l0 && a1 === l1 && a2 === l2 && a3 === l3) return lastAddr;
    lastFamily = family;
    l0 = a0; l1 = a1; l2 = a2; l3 = a3;
    // An IPv4 exporter on a dual-stack socket (::ffff:a.b.c.d) is named as IPv4.
    const mapped = family === C.AF_INET6 && a0 === 0 && a1 === 0 && a2 === 0xffff0000;
    lastAddr = family === C.AF_INET ? formatV4Bytes(bytes, at + 4) : mapped ? formatV4Bytes(bytes, at + 20) : formatV6Bytes(bytes, at + 8);
    return lastAddr;
  };

  let warnedRead = false;
  // Reads one socket until it is empty or ROUND datagrams were handed on; true if it may hold more.
  const drainSocket = (fd: number): boolean => {
    for (let done = 0; done < ROUND; ) {
      for (let i = 0; i < VLEN; i++) u32[(HDR + i * MMSGHDR + 8) >> 2] = NAME; // msg_namelen, in and out
      const n = libc.recvmmsg(fd, base + HDR, VLEN, C.MSG_DONTWAIT);
      if (n <= 0) {
        const e = n < 0 ? libc.errno() : C.EAGAIN;
        if (e === C.EINTR) continue;
        if (e !== C.EAGAIN && !warnedRead) {
          warnedRead = true;
          opts.warn(`udp: recvmmsg: ${libc.strerror(e)} (errno ${e})`);
        }
        return false;
      }
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        const len = u32[(HDR + i * MMSGHDR + 56) >> 2] ?? 0; // msg_len
        counters.datagrams++;
        counters.bytes += len;
        const name = NAMES + i * NAME;
        const addr = senderOf(name);
        if (!allowed(addr)) {
          counters.denied++;
          continue;
        }
        let v = views[i]!;
        if (v.length !== len) {
          v = bytes.subarray(i * SLOT, i * SLOT + len);
          views[i] = v;
        }
        d.payload = v;
        d.addr = addr;
        d.port = view.getUint16(name + 2, false);
        d.arrivalMs = now;
        opts.onDatagram(d);
      }
      done += n;
      if (n < VLEN) return false;
    }
    return true;
  };

  let closed = false;
  const pace = createPace(Number.isFinite(granted) ? granted : 0, Date.now());
  let timer: ReturnType<typeof setTimeout> | null = null;
  let immediate: ReturnType<typeof setImmediate> | null = null;
  const drain = () => {
    timer = null;
    immediate = null;
    if (closed) return;
    const datagrams = counters.datagrams;
    const bytes = counters.bytes;
    let more = false;
    try {
      for (const fd of fds) if (drainSocket(fd)) more = true;
    } finally {
      if (!closed) {
        const wait = pace.next(counters.datagrams - datagrams, counters.bytes - bytes, Date.now());
        if (more) immediate = setImmediate(drain);
        else timer = setTimeout(drain, wait);
      }
    }
  };
  timer = setTimeout(drain, POLL_MS);

  return {
    counters,
    bound,
    kind: "recvmmsg",
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      // What the kernel already holds arrived before the stop: it is read and handed on, not
      // dropped with the socket. Bounded, for a sender that keeps sending.
      try {
        for (const fd of fds) for (let k = 0; k < CLOSE_ROUNDS && drainSocket(fd); k++);
      } finally {
        for (const fd of fds) libc.close(fd);
      }
    },
  };
}
