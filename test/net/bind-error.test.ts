// A listen port the kernel refuses is the operator's error (exit 1) naming the port and the way
// out, through both receivers, the worker threads and the HTTP server: a real `xenoflow run`
// against a real socket.
import { describe, expect, test } from "bun:test";
import { type Socket, createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { type AddressInfo, type Server, createServer } from "node:net";
import { join } from "node:path";
import { BUN, MAIN } from "../support/collector.ts";
import { tree } from "../config/tmp.ts";

function config(port: number, workers = 1, http = '""'): { dir: string; file: string } {
  const dir = tree({});
  const file = join(dir, "xenoflow.toml");
  writeFileSync(file, `data_dir = "${dir}"\n[collector]\nlisten = ["127.0.0.1:${port}"]\nworkers = ${workers}\n[storage]\nurl = "sqlite:${dir}/x.sqlite"\n[http]\nlisten = ${http}\n`);
  return { dir, file };
}

function run(file: string, env: Record<string, string> = {}, prefix: string[] = []) {
  const p = Bun.spawnSync([...prefix, BUN, MAIN, "run", "-c", file], { env: { ...process.env, NO_COLOR: "1", ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, err: p.stderr.toString() };
}

describe("a refused bind", () => {
  test("a port in use, with each receiver and with workers: exit 1, the port and how to see who holds it", async () => {
    const holder: Socket = createSocket("udp4");
    await new Promise<void>((r) => holder.bind(0, "127.0.0.1", () => r()));
    const port = holder.address().port;
    try {
      const want = { code: 1, err: `error: udp 127.0.0.1:${port}: port ${port} is in use by another program (see which: ss -lunp 'sport = :${port}'); stop it or change collector.listen\n` };
      expect(run(config(port).file)).toEqual(want);
      expect(run(config(port).file, { XENOFLOW_RECEIVER: "dgram" })).toEqual(want);
      expect(run(config(port, 2).file)).toEqual(want);
    } finally {
      holder.close();
    }
  });

  test("the HTTP port in use: exit 1 (not a process kept alive by the sockets already open), with the way to see who holds it", async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
    const port = (holder.address() as AddressInfo).port;
    const udp = createSocket("udp4"); // a free UDP port for the collector, which starts before HTTP
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
    const free = udp.address().port;
    udp.close();
    try {
      const { file } = config(free, 1, `"127.0.0.1:${port}"`);
      const r = run(file);
      expect([r.code, r.err.split("\n").filter((l) => l.includes("http.listen"))]).toEqual([
        1,
        [`${file}: http.listen: cannot listen on 127.0.0.1:${port}: Failed to start server. Is port ${port} in use? (see which program: ss -ltnp 'sport = :${port}')`],
      ]);
    } finally {
      holder.close();
    }
  });

  // Root without CAP_NET_BIND_SERVICE in its bounding set (setpriv, util-linux): the kernel refuses
  // as it refuses an unprivileged user, and nothing needs to read the checkout as another user
  // (a clone in a 0700 directory). A developer's unprivileged run skips it.
  test.skipIf(process.getuid?.() !== 0)("a port below 1024 without the capability: exit 1, what to grant", () => {
    const { file } = config(999);
    const noCapability = ["setpriv", "--bounding-set=-net_bind_service", "--inh-caps=-net_bind_service"];
    expect(run(file, {}, noCapability)).toEqual({
      code: 1,
      err: "error: udp 127.0.0.1:999: ports below 1024 need root or CAP_NET_BIND_SERVICE (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE); or listen on a port from 1024 up (2055, 4739)\n",
    });
  });
});
