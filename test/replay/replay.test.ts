// `xenoflow replay`: which datagrams it picks, its schedule, and real sends to a UDP socket in the
// test (payloads byte for byte, in order, count x loops), through the API and the CLI.
import { describe, expect, test } from "bun:test";
import { type Socket, createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XenoflowError } from "../../src/errors.ts";
import { type CapturedDatagram, readCapture } from "../../src/capture/pcap.ts";
import { isFlowPayload, plan } from "../../src/replay/plan.ts";
import { isLoopback, parseTarget, send } from "../../src/replay/send.ts";
import { writePcap } from "../support/pcapwrite.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const V5 = hex(`0005000100000001655e1000000000000000000100000000${"00".repeat(48)}`);
const V9 = hex("000900000000000165 5e100000000001 00000000".replace(/ /g, ""));
const IPFIX = hex("000a0010655e10000000000100000000");
const SFLOW = hex("00000005 00000001 c0000264 00000000 00000001 00000000 00000000".replace(/ /g, "")); // agent 192.0.2.100, no samples
const CAPTURE = join(import.meta.dir, "../fixtures/exporters/softflowd-v9.pcap");
const CAPTURED = readCapture(new Uint8Array(readFileSync(CAPTURE))).datagrams;

const dg = (tsMs: number, payload: Uint8Array): CapturedDatagram => ({ frame: 1, tsMs, src: "192.0.2.1", srcPort: 1, dst: "127.0.0.1", dstPort: 2055, payload });

describe("plan", () => {
  test("picks v5, v9, IPFIX and sFlow v5 datagrams only", () => {
    expect([V5, V9, IPFIX, SFLOW].map(isFlowPayload)).toEqual([true, true, true, true]);
    const notFlow = [hex("0005"), V5.subarray(0, 23), hex("000a0011655e10000000000100000000"), hex("0001000000000000000000000000000000000000"), new TextEncoder().encode("hello, world, hello"), SFLOW.subarray(0, 27)];
    expect(notFlow.map(isFlowPayload)).toEqual([false, false, false, false, false, false]);
    const p = plan([dg(0, V5), dg(1, notFlow[3] ?? V5), dg(2, IPFIX)], { speed: 0 }, 1);
    expect(p.payloads).toEqual([V5, IPFIX]);
  });

  test("captured pace, scaled by speed; 0 = no waiting; out-of-order times never go backwards", () => {
    const ds = [dg(1000, V5), dg(1500, V9), dg(1400, IPFIX), dg(3000, V5)];
    expect(plan(ds, { speed: 1 }, 2)).toEqual({ payloads: [V5, V9, IPFIX, V5], offsetsMs: Float64Array.of(0, 500, 500, 2000), loopMs: 2000, loops: 2 });
    expect([...plan(ds, { speed: 4 }, 1).offsetsMs]).toEqual([0, 125, 125, 500]);
    expect(plan(ds, { speed: 0 }, 1)).toMatchObject({ offsetsMs: Float64Array.of(0, 0, 0, 0), loopMs: 0 });
  });

  test("fixed rate", () => {
    expect(plan([dg(5, V5), dg(0, V9)], { pps: 4 }, 3)).toMatchObject({ offsetsMs: Float64Array.of(0, 250), loopMs: 500, loops: 3 });
  });

  test("bad pacing and loop counts are usage errors", () => {
    for (const [pace, loops] of [[{ speed: -1 }, 1], [{ pps: 0 }, 1], [{ speed: Number.NaN }, 1], [{ speed: 1 }, 0], [{ speed: 1 }, 1.5]] as const) {
      expect(() => plan([dg(0, V5)], pace, loops)).toThrow(XenoflowError);
    }
  });
});

describe("target", () => {
  test("HOST:PORT forms and the loopback check", () => {
    expect(["127.0.0.1:2055", "[::1]:4739", "localhost:9995", "[2001:db8::1]:2055"].map(parseTarget)).toEqual([
      { host: "127.0.0.1", port: 2055 }, { host: "::1", port: 4739 }, { host: "127.0.0.1", port: 9995 }, { host: "2001:db8::1", port: 2055 },
    ]);
    for (const bad of ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:2055", ""]) expect(() => parseTarget(bad)).toThrow(XenoflowError);
    expect(["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "192.0.2.1", "2001:db8::1", "example.org", "::"].map(isLoopback)).toEqual([
      true, true, true, true, false, false, false, false,
    ]);
  });
});

async function receiver(family: "udp4" | "udp6" = "udp4"): Promise<{ socket: Socket; port: number; got: Buffer[] }> {
  const socket = createSocket(family);
  const got: Buffer[] = [];
  socket.on("message", (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, family === "udp4" ? "127.0.0.1" : "::1", resolve));
  return { socket, port: socket.address().port, got };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await Bun.sleep(10);
}

describe("sending", () => {
  test("a real export, three times, to a socket: every payload in order", async () => {
    const want = CAPTURED.map((d) => Buffer.from(d.payload));
    expect(want.length).toBeGreaterThan(1);
    const r = await receiver();
    const res = await send(plan(CAPTURED, { speed: 0 }, 3), { host: "127.0.0.1", port: r.port });
    await until(() => r.got.length >= want.length * 3);
    r.socket.close();
    expect(res.sent).toBe(want.length * 3);
    expect(res.bytes).toBe(want.reduce((a, b) => a + b.length, 0) * 3);
    expect(r.got).toEqual([...want, ...want, ...want]);
  });

  test("over IPv6 loopback, paced, with progress reports", async () => {
    const file = writePcap([0, 20, 40].map((t, i) => ({ tsMs: 1e12 + t, src: "192.0.2.1", srcPort: 9, dst: "127.0.0.1", dstPort: 2055, payload: i === 1 ? V9 : V5 })));
    const r = await receiver("udp6");
    const reports: number[] = [];
    await send(plan(readCapture(file).datagrams, { speed: 1 }, 2), { host: "::1", port: r.port }, (s) => reports.push(s), 0);
    await until(() => r.got.length >= 6);
    r.socket.close();
    expect(r.got.map((b) => [...b])).toEqual([V5, V9, V5, V5, V9, V5].map((p) => [...p]));
    expect(reports).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("xenoflow replay (CLI)", () => {
  const main = join(import.meta.dir, "../../src/main.ts");
  const run = (...args: string[]) => {
    const p = Bun.spawnSync([process.execPath, main, "replay", ...args], { stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };

  test("sends and prints one summary line", async () => {
    const r = await receiver();
    const proc = Bun.spawn([process.execPath, main, "replay", CAPTURE, "--to", `127.0.0.1:${r.port}`, "--speed", "0", "--loop", "2", "--port", String(CAPTURED[0]?.dstPort)], { stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    await until(() => r.got.length >= CAPTURED.length * 2);
    r.socket.close();
    expect({ code, err, lines: out.trim().split("\n").length, head: out.replace(/ in .*$/s, "") }).toEqual({
      code: 0, err: "", lines: 1, head: `sent ${CAPTURED.length * 2} datagrams (${r.got.reduce((a, b) => a + b.length, 0)} bytes) to 127.0.0.1:${r.port}`,
    });
  });

  test("refuses a destination outside loopback, bad arguments and non-captures", () => {
    const remote = run(CAPTURE, "--to", "192.0.2.1:2055");
    expect([remote.code, remote.out, remote.err.includes("--allow-remote")]).toEqual([1, "", true]);
    expect(run(CAPTURE, "--to", "127.0.0.1:2055", "--speed", "2", "--pps", "10").code).toBe(1);
    const none = run(CAPTURE, "--to", "127.0.0.1:2055", "--port", "9");
    expect([none.code, none.err]).toEqual([1, `error: ${CAPTURE} holds no NetFlow v5/v9, IPFIX or sFlow datagrams to UDP port 9; try without --port\n`]);
    expect(run("/nonexistent.pcap", "--to", "127.0.0.1:2055")).toEqual({ code: 1, out: "", err: "error: /nonexistent.pcap: no such file\n" });
    expect(run(main, "--to", "127.0.0.1:2055").code).toBe(1); // not a capture
    expect(run(CAPTURE).code).toBe(1); // no --to
  });
});
