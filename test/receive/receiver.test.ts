// One contract, both receivers: recvmmsg(2) through bun:ffi and node:dgram must hand on the same
// datagrams, senders, counters and errors.
import { afterEach, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import type { Cidr, ListenAddress } from "../../src/config/types.ts";
import { parseCidr } from "../../src/net/address.ts";
import { type Receiver, type ReceiverKind, type ReceiverOptions, receiverKind, startReceiver } from "../../src/receive/udp.ts";

interface Got {
  addr: string;
  port: number;
  payload: number[];
  arrivalMs: number;
}

const cidr = (t: string) => parseCidr(t) as Cidr;
const open: (Receiver | dgram.Socket)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) "kind" in x ? await x.close() : x.close();
});

async function receiver(kind: ReceiverKind, over: Partial<ReceiverOptions> = {}) {
  const got: Got[] = [];
  const warnings: string[] = [];
  const opts: ReceiverOptions = {
    listen: [{ host: "127.0.0.1", port: 0 }],
    recvBuffer: 1 << 20,
    allow: [],
    // The payload may be overwritten after the call: the contract says copy it.
    onDatagram: (d) => got.push({ addr: d.addr, port: d.port, payload: [...d.payload], arrivalMs: d.arrivalMs }),
    warn: (m) => warnings.push(m),
    ...over,
  };
  const r = await startReceiver(opts, kind);
  open.push(r);
  return { r, got, warnings, opts };
}

async function sender(type: "udp4" | "udp6" = "udp4", host = type === "udp4" ? "127.0.0.1" : "::1"): Promise<{ s: dgram.Socket; port: number }> {
  const s = dgram.createSocket(type);
  open.push(s);
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  return { s, port: s.address().port };
}

const send = (s: dgram.Socket, to: ListenAddress, payload: Uint8Array) =>
  new Promise<void>((resolve, reject) => s.send(payload, to.port, to.host, (e) => (e ? reject(e) : resolve())));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(2);
  }
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, k) => (k * 31 + seed) & 0xff);

test("recvmmsg is the default on Linux; XENOFLOW_RECEIVER=dgram picks node:dgram", () => {
  expect(receiverKind({})).toBe(process.platform === "linux" ? "recvmmsg" : "dgram");
  expect(receiverKind({ XENOFLOW_RECEIVER: "dgram" })).toBe("dgram");
});

test("recvmmsg: close hands on what the kernel already holds before it closes the sockets", async () => {
  const { r, got } = await receiver("recvmmsg");
  const to = r.bound[0]!;
  const s = await Bun.udpSocket({ hostname: "127.0.0.1" });
  try {
    // Sent and closed in one turn of the event loop: the receiver's timer cannot read them first.
    for (let k = 0; k < 300; k++) expect(s.send(bytes(100, k), to.port, to.host)).toBe(true);
    await r.close();
  } finally {
    s.close();
  }
  expect(got.map((g) => g.payload)).toEqual(Array.from({ length: 300 }, (_, k) => [...bytes(100, k)]));
  expect(r.counters.datagrams).toBe(300);
});

test("recvmmsg: a consumer that throws while close reads still leaves the port free", async () => {
  const { r, opts } = await receiver("recvmmsg", {
    onDatagram: () => {
      throw new Error("consumer failed");
    },
  });
  const to = r.bound[0]!;
  const s = await Bun.udpSocket({ hostname: "127.0.0.1" });
  try {
    expect(s.send(bytes(10, 1), to.port, to.host)).toBe(true);
    await expect(r.close()).rejects.toThrow("consumer failed");
  } finally {
    s.close();
  }
  const again = await startReceiver({ ...opts, listen: [to] }, "recvmmsg");
  open.push(again);
  expect(again.bound).toEqual([to]);
});

describe.each(["recvmmsg", "dgram"] as const)("%s receiver", (kind) => {
  test("hands on every datagram with its sender, whole, from 1 byte to the largest IPv4 payload", async () => {
    const { r, got } = await receiver(kind);
    expect(r.kind).toBe(kind);
    const to = r.bound[0]!;
    expect(to.port).toBeGreaterThan(0);
    const a = await sender();
    const b = await sender();
    const sizes = [1, 45, 1388, 9000, 65507];
    const t0 = Date.now();
    for (const [k, n] of sizes.entries()) await send(k % 2 ? b.s : a.s, to, bytes(n, k));
    await until(() => got.length === sizes.length);
    expect(got.map((g) => ({ addr: g.addr, port: g.port, payload: g.payload }))).toEqual(
      sizes.map((n, k) => ({ addr: "127.0.0.1", port: k % 2 ? b.port : a.port, payload: [...bytes(n, k)] })),
    );
    for (const g of got) expect(g.arrivalMs).toBeGreaterThanOrEqual(t0);
    for (const g of got) expect(g.arrivalMs).toBeLessThanOrEqual(Date.now());
    expect(r.counters).toEqual({ datagrams: 5, bytes: sizes.reduce((x, y) => x + y, 0), denied: 0 });
  });

  test("IPv6 senders are named in RFC 5952 text", async () => {
    const { r, got } = await receiver(kind, { listen: [{ host: "::1", port: 0 }] });
    const a = await sender("udp6");
    await send(a.s, r.bound[0]!, bytes(20, 1));
    await until(() => got.length === 1);
    expect(got.map((g) => [g.addr, g.port])).toEqual([["::1", a.port]]);
  });

  test("a burst far larger than one system call's batch arrives whole and in order", async () => {
    const { r, got } = await receiver(kind, { recvBuffer: 4 << 20 });
    const a = await sender();
    const n = 2000;
    const sends: Promise<void>[] = [];
    for (let k = 0; k < n; k++) sends.push(send(a.s, r.bound[0]!, Uint8Array.of(k >> 8, k & 0xff, 7)));
    await Promise.all(sends);
    await until(() => got.length === n);
    expect(got.map((g) => (g.payload[0]! << 8) | g.payload[1]!)).toEqual(Array.from({ length: n }, (_, k) => k));
  });

  test("the allowlist drops and counts other senders, and a reload's new list applies at once", async () => {
    const { r, got, opts } = await receiver(kind, { allow: [cidr("10.0.0.0/8")] });
    const a = await sender();
    await send(a.s, r.bound[0]!, bytes(10, 1));
    await until(() => r.counters.denied === 1);
    expect(got).toEqual([]);
    (opts as { allow: readonly Cidr[] }).allow = [cidr("127.0.0.0/8")];
    await send(a.s, r.bound[0]!, bytes(10, 2));
    await until(() => got.length === 1);
    expect(r.counters).toEqual({ datagrams: 2, bytes: 20, denied: 1 });
  });

  test("reusePort lets several receivers share a port; without it the second bind fails", async () => {
    const first = await receiver(kind, { reusePort: true });
    const port = first.r.bound[0]!.port;
    const second = await receiver(kind, { reusePort: true, listen: [{ host: "127.0.0.1", port }] });
    expect(second.r.bound).toEqual([{ host: "127.0.0.1", port }]);
    const lone = await receiver(kind);
    const p = lone.r.bound[0]!.port;
    await expect(startReceiver({ ...lone.opts, listen: [{ host: "127.0.0.1", port: p }] }, kind)).rejects.toThrow(/EADDRINUSE|in use/i);
  });

  test("a receive buffer capped by net.core.rmem_max is reported once, with the sysctl to raise it", async () => {
    const { warnings } = await receiver(kind, { recvBuffer: 1 << 30, listen: [{ host: "127.0.0.1", port: 0 }, { host: "::1", port: 0 }] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^receive buffer capped at \d+ bytes \(asked for 1073741824\); raise it with sysctl -w net.core.rmem_max=1073741824/);
  });

  test("close stops delivery and frees the port", async () => {
    const { r, got, opts } = await receiver(kind);
    const to = r.bound[0]!;
    await r.close();
    const a = await sender();
    await send(a.s, to, bytes(5, 5));
    await Bun.sleep(50);
    expect(got).toEqual([]);
    const again = await startReceiver({ ...opts, listen: [to] }, kind);
    open.push(again);
    expect(again.bound).toEqual([to]);
  });
});
