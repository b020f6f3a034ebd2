// End to end: `xenoflow gen` as a process, sending to a socket of the test's own, which parses
// what arrives without the generator's code. Counts, octets, sequence numbers and the summary.
import { afterEach, describe, expect, test } from "bun:test";
import dgram from "node:dgram";

const ROOT = `${import.meta.dir}/../..`;

interface Received {
  from: number; // source port
  version: number;
  sequence: number;
  domain: number;
  records: number;
  octets: number;
  templates: number;
}

/** Data records and their octets, read straight from the wire formats (octets at record offset 20). */
function parse(m: Buffer, from: number): Received {
  const v = new DataView(m.buffer, m.byteOffset, m.length);
  const version = v.getUint16(0);
  if (version === 5) {
    const n = v.getUint16(2);
    let octets = 0;
    for (let k = 0; k < n; k++) octets += v.getUint32(24 + k * 48 + 20);
    return { from, version, sequence: v.getUint32(16), domain: v.getUint8(21), records: n, octets, templates: 0 };
  }
  const hl = version === 9 ? 20 : 16;
  let records = 0;
  let octets = 0;
  let templates = 0;
  for (let off = hl; off + 4 <= m.length; ) {
    const id = v.getUint16(off);
    const len = v.getUint16(off + 2);
    if (id === 256) {
      const n = Math.floor((len - 4) / 45);
      for (let k = 0; k < n; k++) octets += v.getUint32(off + 4 + k * 45 + 20);
      records += n;
    } else templates++;
    off += len;
  }
  if (version === 10) expect(v.getUint16(2)).toBe(m.length);
  return { from, version, sequence: v.getUint32(version === 9 ? 12 : 8), domain: v.getUint32(version === 9 ? 16 : 12), records, octets, templates };
}

let sock: dgram.Socket | null = null;
afterEach(() => {
  sock?.close();
  sock = null;
});

async function receiver(): Promise<{ port: number; got: Received[] }> {
  const got: Received[] = [];
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 8 << 20 });
  sock = s;
  s.on("message", (m, rinfo) => got.push(parse(m, rinfo.port)));
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  return { port: s.address().port, got };
}

async function gen(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, `${ROOT}/src/main.ts`, "gen", ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code: await proc.exited, stdout, stderr };
}

async function settle(got: Received[], datagrams: number): Promise<void> {
  for (let i = 0; i < 200 && got.length < datagrams; i++) await Bun.sleep(10);
}

const sum = (xs: Received[], f: (r: Received) => number) => xs.reduce((a, r) => a + f(r), 0);

describe("xenoflow gen", () => {
  test("--count 2900, v9: 100 datagrams of 29 records, octets and summary agree", async () => {
    const { port, got } = await receiver();
    const r = await gen(["--to", `127.0.0.1:${port}`, "--count", "2900", "--fps", "200000"]);
    expect(r.stderr).toBe(""); // not a TTY: no progress
    expect(r.code).toBe(0);
    await settle(got, 100);
    const summary = JSON.parse(r.stdout);
    expect(got.length).toBe(100);
    expect(got.every((g) => g.version === 9 && g.records === 29 && g.domain === 1)).toBe(true);
    expect(got.map((g) => g.sequence)).toEqual([...Array(100).keys()]);
    // Template in datagrams 0, 20, 40, 60, 80 (refresh every 20).
    expect(got.flatMap((g, i) => (g.templates ? [i] : []))).toEqual([0, 20, 40, 60, 80]);
    const octets = sum(got, (g) => g.octets);
    expect(octets).toBeGreaterThan(2900 * 64);
    expect(summary).toEqual({
      flows: 2900,
      datagrams: 100,
      octets,
      packets: 2900,
      seconds: summary.seconds,
      rate_fps: summary.rate_fps,
      exporters: 1,
      version: 9,
      send_errors: 0,
    });
    expect(summary.rate_fps).toBe(Math.round(2900 / summary.seconds));
  });

  test("IPFIX, 3 exporters, a count that leaves a short last datagram", async () => {
    const { port, got } = await receiver();
    const r = await gen(["--to", `localhost:${port}`, "--count", "1000", "--version", "10", "--exporters", "3", "--fps", "0"]);
    expect(r.code).toBe(0);
    await settle(got, 35);
    const summary = JSON.parse(r.stdout);
    expect(got.length).toBe(35); // 34 x 29 + 14
    expect(sum(got, (g) => g.records)).toBe(1000);
    expect(got.map((g) => g.records).filter((n) => n !== 29)).toEqual([14]);
    expect(new Set(got.map((g) => g.from)).size).toBe(3);
    for (const domain of [1, 2, 3]) {
      const mine = got.filter((g) => g.domain === domain);
      expect(new Set(mine.map((g) => g.from)).size).toBe(1);
      // IPFIX sequence numbers count the data records sent before each message.
      let before = 0;
      for (const g of mine) {
        expect(g.sequence).toBe(before);
        before += g.records;
      }
      expect(mine[0]?.templates).toBe(1);
    }
    expect(summary).toMatchObject({ flows: 1000, datagrams: 35, packets: 1000, exporters: 3, version: 10, send_errors: 0, octets: sum(got, (g) => g.octets) });
  });

  test("v5: 30 records a datagram, flow sequence, fixed octets", async () => {
    const { port, got } = await receiver();
    const r = await gen(["--to", `127.0.0.1:${port}`, "--count", "95", "--version", "5", "--octets", "100", "--fps", "0"]);
    expect(r.code).toBe(0);
    await settle(got, 4);
    expect(got.map((g) => [g.records, g.sequence, g.octets])).toEqual([
      [30, 0, 3000],
      [30, 30, 3000],
      [30, 60, 3000],
      [5, 90, 500],
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ flows: 95, datagrams: 4, octets: 9500, version: 5 });
  });

  test("--fps paces: 2000 flows at 20000/s take about 0.1 s, not less", async () => {
    const { port, got } = await receiver();
    const r = await gen(["--to", `127.0.0.1:${port}`, "--count", "2000", "--fps", "20000"]);
    const summary = JSON.parse(r.stdout);
    await settle(got, 69);
    expect(summary.flows).toBe(2000);
    // The last datagram is due at (2000 / 20000) s; pacing can only make it later.
    expect(summary.seconds).toBeGreaterThanOrEqual(0.099);
  });

  test("refuses a non-loopback target without --allow-remote", async () => {
    const r = await gen(["--to", "192.0.2.1:2055", "--count", "1"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("192.0.2.1 is not a loopback address; add --allow-remote");
  });
});
