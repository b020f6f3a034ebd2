// The alert-script contract (DESIGN.md section 6) end to end, with a hostile key: `xenoflow run`
// receives NetFlow v9 records whose interfaceName (IE 82, a `[[field]]` of type string and the
// first key field) is text made to run commands if anything on the way used a shell. One moving
// average has three limits, all crossed in the same tick:
//   rec  -> a recorder: the whole argv, environment and stdin document are asserted;
//   log  -> config/scripts/log-alert.sh, with a stand-in `logger` first on PATH;
//   hook -> config/scripts/webhook.sh, posting to a local HTTP server.
// Nothing may create the files the hostile key names, in the collector's working directory.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, sendAll, startCollector } from "../support/collector.ts";
import { type ScriptCall, recorderScript, shellAddedEnv, waitForCalls } from "../support/alerts.ts";
import { set, v9 } from "../decode/wire.ts";

const HOSTILE = "$(touch pwned)`touch pwned2`;touch pwned3|'\"*\n";
const IFNAME_LEN = 48; // fixed-length string field (RFC 3954 section 5.2: v9 has no variable length)
const DST = "192.0.2.7";
const SCRIPTS = join(import.meta.dir, "../../config/scripts");
const PACKETS_PER_RECORD = 10;
const OCTETS_PER_RECORD = 1000;

/** A v9 datagram carrying its template (id 256) and `n` records toward DST. */
function datagram(n: number, seq: number): Uint8Array {
  // RFC 3954 section 8 field types: IPV4_SRC_ADDR 8, IPV4_DST_ADDR 12, PROTOCOL 4, IN_PKTS 2,
  // IN_BYTES 1; interfaceName is IANA IE 82, which v9 exporters send under the same number.
  const template = set(0, `0100 0006  0008 0004  000c 0004  0004 0001  0002 0004  0001 0004  0052 ${IFNAME_LEN.toString(16).padStart(4, "0")}`);
  const name = Buffer.alloc(IFNAME_LEN);
  name.write(HOSTILE, "utf8");
  const rec = Buffer.concat([
    Buffer.from([198, 51, 100, 1 + (seq % 200)]),
    Buffer.from(DST.split(".").map(Number)),
    Buffer.from([17]),
    Buffer.from([0, 0, 0, PACKETS_PER_RECORD]),
    Buffer.from([0, 0, OCTETS_PER_RECORD >> 8, OCTETS_PER_RECORD & 0xff]),
    name,
  ]);
  const body = Buffer.concat([...Array.from({ length: n }, () => rec), Buffer.alloc((4 - ((rec.length * n) % 4)) % 4)]);
  return v9({ uptime: 1000, secs: Math.floor(Date.now() / 1000), count: n + 1 }, template, set(256, body.toString("hex")));
}

let c: RunningCollector;
let dir = "";
let recorder = "";
let binPath = "";
const posts: { headers: Record<string, string>; body: string }[] = [];
let server: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "xf-contract-"));
  recorder = recorderScript(dir);
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "hook"));
  // The system log is not a test's to write: a `logger` that records its argv instead.
  writeFileSync(join(dir, "bin/logger"), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > '${dir}/logger.argv'\n`);
  chmodSync(join(dir, "bin/logger"), 0o755);
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      posts.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response("ok\n");
    },
  });
  copyFileSync(join(SCRIPTS, "webhook.sh"), join(dir, "hook/webhook.sh"));
  writeFileSync(join(dir, "hook/webhook.url"), `http://127.0.0.1:${server.port}/alerts\n`);
  binPath = `${join(dir, "bin")}:${process.env.PATH}`;
  c = await startCollector(
    `
[[field]]
name = "ifname"
element = 82
type = "string"
[[mo]]
name = "all"
  [[mo.mavg]]
  name = "ifrate"
  window = "1s"
  key = ["ifname", "dst host"]
  values = ["packets", "bits"]
    [[mo.mavg.limit]]
    name = "rec"
    packets = 100
    on_exceed = "${recorder}"
    on_normal = "${recorder}"
    normal_after = "1s"
    [[mo.mavg.limit]]
    name = "log"
    packets = 100
    on_exceed = "${join(SCRIPTS, "log-alert.sh")}"
    [[mo.mavg.limit]]
    name = "hook"
    packets = 100
    on_exceed = "${join(dir, "hook/webhook.sh")}"
`,
    { dir, cwd: dir, env: { PATH: binPath } },
  );
});

afterAll(async () => {
  server?.stop(true);
  if (c) {
    expect(await c.stop()).toBe(0);
    c.cleanup();
  }
  rmSync(dir, { recursive: true, force: true });
});

test("scripts get exactly the contracted argv, environment and stdin; a hostile key stays one argument", async () => {
  const sent = Array.from({ length: 30 }, (_, i) => datagram(10, i));
  const sendStart = Date.now();
  await sendAll(c.port, sent, 5);
  const totalPackets = 30 * 10 * PACKETS_PER_RECORD;
  const [exceed, normal] = (await waitForCalls(recorder, 2, 15_000)) as [ScriptCall, ScriptCall];
  await c.waitForLog(/log-alert\.sh .* exited 0/);
  await c.waitForLog(/webhook\.sh .* exited 0/);

  const key = { ifname: HOSTILE, dst_host: DST };
  const ex = JSON.parse(exceed.stdin);
  // The rate when it crossed: over the threshold, at most everything sent divided by tau.
  expect(ex.value).toBeGreaterThan(100);
  expect(ex.value).toBeLessThanOrEqual(totalPackets / 1);
  // 1000 octets per 10 packets: 800 bits per packet, whatever the decay.
  expect(ex.rates.bits / ex.rates.packets).toBeCloseTo(800, 6);
  const value = exceed.argv[6] as string;
  expect(value).toMatch(/^\d+(\.\d{3})?$/); // plain decimal: no exponent for a shell to parse
  expect(Number(value)).toBeCloseTo(ex.value, 3);

  expect(exceed.argv).toEqual(["exceed", "all", "ifrate", "rec", HOSTILE, DST, value, "100"]);
  const shellAdds = shellAddedEnv().filter((k) => !k.startsWith("XENOFLOW_") && k !== "PATH");
  const contracted = (event: string, v: string) => ({
    XENOFLOW_EVENT: event,
    XENOFLOW_MO: "all",
    XENOFLOW_MAVG: "ifrate",
    XENOFLOW_LIMIT: "rec",
    XENOFLOW_METRIC: "packets",
    XENOFLOW_VALUE: v,
    XENOFLOW_THRESHOLD: "100",
    XENOFLOW_KEY: JSON.stringify(key),
    PATH: binPath,
  });
  const without = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => !shellAdds.includes(k)));
  expect(without(exceed.env)).toEqual(contracted("exceed", value));
  if ("PWD" in exceed.env) expect(exceed.env.PWD).toBe(dir);

  const start = ex.start as string;
  expect(Date.parse(start)).toBeGreaterThanOrEqual(sendStart - 1);
  expect(Date.parse(start)).toBeLessThanOrEqual(exceed.atMs + 1);
  expect(ex).toEqual({
    event: "exceed",
    mo: "all",
    mavg: "ifrate",
    limit: "rec",
    key,
    metric: "packets",
    value: ex.value,
    threshold: 100,
    rates: { packets: ex.rates.packets, bits: ex.rates.bits },
    thresholds: { packets: 100 },
    start,
    time: start,
    extended: {},
  });
  expect(exceed.stdin.endsWith("}\n")).toBe(true);

  // `normal` repeats what crossed at the start, with the start time it began at.
  const no = JSON.parse(normal.stdin);
  expect(normal.argv).toEqual(["normal", "all", "ifrate", "rec", HOSTILE, DST, value, "100"]);
  expect(without(normal.env)).toEqual(contracted("normal", value));
  expect(Date.parse(no.time) - Date.parse(start)).toBeGreaterThanOrEqual(1000); // normal_after
  expect(no).toEqual({ ...ex, event: "normal", rates: no.rates, time: no.time });
  expect(no.rates.bits / no.rates.packets).toBeCloseTo(800, 6);

  // log-alert.sh: one syslog message, the key inside it as the JSON of XENOFLOW_KEY.
  const loggerArgv = readFileSync(join(dir, "logger.argv"), "utf8").split("\0").slice(0, -1);
  expect(loggerArgv).toEqual([
    "-t",
    "xenoflow",
    "-p",
    "daemon.warning",
    "--",
    `exceed mo=all mavg=ifrate limit=log key=${JSON.stringify(key)}`,
    `packets=${value}/s threshold=100/s`,
  ]);

  // webhook.sh: the stdin document, byte for byte what a recorder would have seen for "hook".
  expect(posts.length).toBe(1);
  const post = posts[0] as (typeof posts)[0];
  expect(post.headers["content-type"]).toBe("application/json");
  expect(post.headers["x-xenoflow-event"]).toBe("exceed");
  expect(JSON.parse(post.body)).toEqual({ ...ex, limit: "hook" });

  for (const f of ["pwned", "pwned2", "pwned3"]) {
    expect(existsSync(join(dir, f))).toBe(false);
    expect(existsSync(join(dir, "hook", f))).toBe(false);
    expect(existsSync(join(process.cwd(), f))).toBe(false);
  }
}, 30_000);

test("every example script is an executable POSIX sh script that passes its arguments quoted", () => {
  const names = readdirSync(SCRIPTS).filter((n) => n.endsWith(".sh")).sort();
  expect(names).toEqual(["log-alert.sh", "rtbh.sh", "webhook.sh"]);
  for (const n of names) {
    const file = join(SCRIPTS, n);
    expect(readFileSync(file, "utf8").startsWith("#!/bin/sh\n")).toBe(true);
    expect(statSync(file).mode & 0o111).toBe(0o111);
    // dash is Debian's /bin/sh and knows no bashisms: -n parses without running.
    const r = Bun.spawnSync(["dash", "-n", file]);
    expect([n, r.exitCode, r.stderr.toString()]).toEqual([n, 0, ""]);
  }
  // rtbh.sh takes the victim from argv: the hostile key must reach logger as text.
  const r = Bun.spawnSync([join(SCRIPTS, "rtbh.sh"), "exceed", "all", "ifrate", "rec", HOSTILE, DST, "1", "100"], {
    cwd: dir,
    env: { PATH: binPath },
  });
  expect(r.exitCode).toBe(0);
  expect(readFileSync(join(dir, "logger.argv"), "utf8").split("\0").slice(0, -1)).toEqual([
    "-t",
    "xenoflow-rtbh",
    "-p",
    "daemon.warning",
    "--",
    `would announce blackhole ${HOSTILE} (mo=all mavg=ifrate limit=rec)`,
  ]);
  for (const f of ["pwned", "pwned2", "pwned3"]) expect(existsSync(join(dir, f))).toBe(false);
});
