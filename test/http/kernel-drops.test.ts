import { describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownSocketInodes, parseProcNetUdp, readKernelDrops } from "../../src/http/kernel-drops.ts";

// Rows as Linux 6.1 prints them (x86-64, little-endian).
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:0807 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 41001 2 0000000000000000 17
  124: 00000000:128B 00000000:0000 07 00000000:00000000 00:00000000 00000000   104        0 41002 2 0000000000000000 0
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  300: 00000000000000000000000001000000:0807 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41003 2 0000000000000000 5
  301: 000080FE00000000FF005452563412FE:0807 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41004 2 0000000000000000 0
`;

describe("kernel drops", () => {
  test("parses /proc/net/udp and udp6 rows", () => {
    expect(parseProcNetUdp(UDP)).toEqual([
      { local: "127.0.0.1:2055", port: 2055, inode: 41001, rxQueue: 2560, drops: 17 },
      { local: "0.0.0.0:4747", port: 4747, inode: 41002, rxQueue: 0, drops: 0 },
    ]);
    expect(parseProcNetUdp(UDP6)).toEqual([
      { local: "[::1]:2055", port: 2055, inode: 41003, rxQueue: 0, drops: 5 },
      { local: "[fe80::5254:ff:fe12:3456]:2055", port: 2055, inode: 41004, rxQueue: 0, drops: 0 },
    ]);
  });

  test("keeps the collector's own sockets on its ports", () => {
    const dir = mkdtempSync(join(tmpdir(), "xf-drops-"));
    try {
      writeFileSync(join(dir, "udp"), UDP);
      writeFileSync(join(dir, "udp6"), UDP6);
      const files = [join(dir, "udp"), join(dir, "udp6"), join(dir, "absent")];
      expect(readKernelDrops([2055], { files, inodes: () => new Set([41001, 41003]) }).map((r) => [r.local, r.drops])).toEqual([
        ["127.0.0.1:2055", 17],
        ["[::1]:2055", 5],
      ]);
      // Without /proc/self/fd the port alone decides.
      expect(readKernelDrops([2055, 4747], { files, inodes: () => null }).map((r) => r.local)).toEqual([
        "127.0.0.1:2055",
        "0.0.0.0:4747",
        "[::1]:2055",
        "[fe80::5254:ff:fe12:3456]:2055",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("finds this process's own socket in the real /proc", async () => {
    const s = dgram.createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    const port = s.address().port;
    try {
      expect(ownSocketInodes()?.size ?? 0).toBeGreaterThan(0);
      expect(readKernelDrops([port])).toEqual([{ local: `127.0.0.1:${port}`, port, inode: expect.any(Number), rxQueue: 0, drops: 0 }]);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  test("counts real drops on a socket nobody reads", async () => {
    // A process that binds a tiny receive buffer and never reads: the kernel must drop.
    const py = Bun.spawn(
      [
        "python3",
        "-c",
        "import socket,sys,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1024)\ns.bind(('127.0.0.1',0))\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)",
      ],
      { stdout: "pipe" },
    );
    try {
      const reader = (py.stdout as ReadableStream<Uint8Array>).getReader();
      const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
      const s = dgram.createSocket("udp4");
      const payload = new Uint8Array(1200);
      for (let i = 0; i < 50; i++) await new Promise<void>((r, j) => s.send(payload, port, "127.0.0.1", (e) => (e ? j(e) : r())));
      s.close();
      const rows = readKernelDrops([port], { inodes: () => null });
      expect(rows.length).toBe(1);
      // The first datagrams fit in the buffer and wait there; the rest were dropped.
      expect(rows[0]?.rxQueue).toBeGreaterThan(0);
      expect(rows[0]?.drops).toBeGreaterThan(0);
      expect(rows[0]?.drops).toBeLessThan(50);
    } finally {
      py.kill();
    }
  });
});
