// Issue 8 item 4, end to end: a flow key that looks like a shell command reaches the alert script as
// one argv element, never through a shell. An IPFIX exporter sends interfaceName (a string element)
// values `; rm -rf <dir>/victim #` and `$(touch <dir>/pwned)`; a moving average keyed by it crosses
// its limit and runs the script, which records its argv. The unit tests of the runner itself
// (no shell, timeout kills the process group, concurrency cap) are in test/alert/scripts.test.ts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, sendAll, startCollector } from "../support/collector.ts";

const dir = mkdtempSync(join(tmpdir(), "xf-argv-"));
const KEYS = [`; rm -rf ${dir}/victim #`, `$(touch ${dir}/pwned) \`touch ${dir}/pwned2\` && echo 'x' "y"`];

// RFC 7011 section 3.1 message header, 3.3.2 set header, 3.4.1 template record, 7 variable-length encoding.
const IPFIX_VERSION = 10;
const TEMPLATE_SET_ID = 2;
const VARIABLE_LENGTH = 65535;
const IE_INTERFACE_NAME = 82;
const IE_PACKET_DELTA_COUNT = 2;
const IE_OCTET_DELTA_COUNT = 1;

function ipfix(names: readonly string[]): Uint8Array {
  const enc = new TextEncoder();
  const data = names.map((n) => enc.encode(n));
  const tmpl = [TEMPLATE_SET_ID, 4 + 4 + 12, 256, 3, IE_INTERFACE_NAME, VARIABLE_LENGTH, IE_PACKET_DELTA_COUNT, 8, IE_OCTET_DELTA_COUNT, 8];
  const dataLen = 4 + data.reduce((n, d) => n + 1 + d.length + 16, 0);
  const total = 16 + tmpl.length * 2 + dataLen;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, IPFIX_VERSION);
  dv.setUint16(2, total);
  dv.setUint32(4, Math.floor(Date.now() / 1000));
  let o = 16;
  for (const v of tmpl) {
    dv.setUint16(o, v);
    o += 2;
  }
  dv.setUint16(o, 256);
  dv.setUint16(o + 2, dataLen);
  o += 4;
  for (const d of data) {
    if (d.length >= 255) throw new Error("one-byte length form only");
    out[o++] = d.length;
    out.set(d, o);
    o += d.length;
    dv.setBigUint64(o, 1_000_000n);
    dv.setBigUint64(o + 8, 1_500_000_000n);
    o += 16;
  }
  return out;
}

let c: RunningCollector | null = null;
beforeAll(() => {
  writeFileSync(join(dir, "victim"), "still here\n");
  // One argument a line, in a file of each run's own: the two scripts run at once, and lines they
  // appended to one file interleaved.
  writeFileSync(join(dir, "record.sh"), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/argv.$$.tmp" && mv "${dir}/argv.$$.tmp" "${dir}/argv.$$.txt"\n`);
  chmodSync(join(dir, "record.sh"), 0o755);
});
afterAll(() => {
  c?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test("a hostile string key is one argv element of the alert script, and nothing it says is executed", async () => {
  c = await startCollector(`
[[field]]
name = "ifname"
element = ${IE_INTERFACE_NAME}
type = "string"
[[mo]]
name = "all"
  [[mo.mavg]]
  name = "by_if"
  window = "1s"
  key = ["ifname"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "flood"
    packets = 1000
    on_exceed = "${dir}/record.sh"
`);
  await sendAll(c.port, [ipfix(KEYS)]);
  const end = Date.now() + 15_000;
  const runs = () => readdirSync(dir).filter((f) => /^argv\.\d+\.txt$/.test(f)).map((f) => readFileSync(join(dir, f), "utf8"));
  while (runs().length < KEYS.length && Date.now() < end) await Bun.sleep(50);
  await Bun.sleep(500); // a script the shell would have run as a command gets the time to do it
  const argvs = runs()
    .map((r) => r.slice(0, -1).split("\n"))
    .sort((a, b) => (a[4]! < b[4]! ? -1 : 1));
  // EVENT MO MAVG LIMIT KEY VALUE THRESHOLD (DESIGN.md section 6); the rates depend on timing.
  expect(argvs.map((a) => [...a.slice(0, 5), a.length, Number(a[6])])).toEqual(
    [...KEYS].sort().map((k) => ["exceed", "all", "by_if", "flood", k, 7, 1000]),
  );
  expect({ victim: existsSync(join(dir, "victim")), pwned: existsSync(join(dir, "pwned")), pwned2: existsSync(join(dir, "pwned2")) }).toEqual({
    victim: true,
    pwned: false,
    pwned2: false,
  });
}, 30_000);
