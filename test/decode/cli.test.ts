// `xenoflow decode` end to end (src/cli/decode.ts), on real captures.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS } from "../support/corpus.ts";
import { writePcap } from "../support/pcapwrite.ts";

const ROOT = join(import.meta.dir, "../..");

function run(...args: string[]) {
  const p = Bun.spawnSync([process.execPath, join(ROOT, "src/main.ts"), "decode", ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe("xenoflow decode", () => {
  test("jsonl: one section 4 object per record, nothing on stderr when there are no faults", () => {
    const r = run(join(CORPUS, "v9-cisco-asa.pcap"));
    const lines = r.out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect([r.code, r.err, lines.length]).toEqual([0, "", 14]);
    expect(lines[0]).toMatchObject({ exporter: "192.0.2.7", version: 9, domain: 0, template: 265, flowId: 8500, sourceIPv4Address: "192.168.14.1", flowStartMilliseconds: 1444384067569 });
  });

  test("text: an aligned block per record", () => {
    const r = run(join(CORPUS, "v5-mikrotik.pcap"), "--format", "text");
    const blocks = r.out.trimEnd().split("\n\n");
    expect([r.code, blocks.length]).toEqual([0, 30]);
    expect(blocks[0]!.split("\n")[0]).toBe("frame 1  192.0.2.14  v5  domain 0  template 0");
    // Values start in one column: name padded to the longest name, then two spaces.
    const starts = new Set(blocks[0]!.split("\n").slice(1).map((l) => /^ {2}\S+ +/.exec(l)![0].length));
    expect(starts).toEqual(new Set([2 + "destinationIPv4PrefixLength".length + 2]));
    expect(blocks[0]).toContain("  sourceIPv4Address            10.");
  });

  test("sFlow: one record per sample, jsonl and text", () => {
    const capture = join(ROOT, "test/fixtures/sflow/pmacct-rate10.pcap");
    const r = run(capture);
    const lines = r.out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect([r.code, r.err, lines.length]).toEqual([0, "", 6]);
    expect(lines[0]).toMatchObject({ exporter: "192.0.2.100", version: "sflow5", domain: 0, packetDeltaCount: 1, samplingInterval: 10 });
    const text = run(capture, "--format", "text");
    expect(text.out.split("\n")[0]).toBe("frame 1  192.0.2.100  sflow5  sub-agent 0");
    expect(text.out).toContain("\n  samplingInterval          10\n");
  });

  test("a capture without flow datagrams (to --port) is an E_INPUT error, exit 1", () => {
    const asa = join(CORPUS, "v9-cisco-asa.pcap");
    expect(run(asa, "--port", "9999")).toEqual({ code: 1, out: "", err: `error: ${asa} holds no NetFlow v5/v9, IPFIX or sFlow datagrams to UDP port 9999; try without --port\n` });
    const dir = mkdtempSync(join(tmpdir(), "xenoflow-decode-"));
    try {
      const dns = join(dir, "dns.pcap");
      const query = new Uint8Array([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      writeFileSync(dns, writePcap([{ tsMs: 0, src: "192.0.2.1", srcPort: 40000, dst: "192.0.2.53", dstPort: 53, payload: query }]));
      const r = run(dns);
      expect([r.code, r.out, r.err]).toEqual([1, "", `error: ${dns} holds no NetFlow v5/v9, IPFIX or sFlow datagrams; is it a capture of the exporter's UDP traffic (tcpdump -i any -w FILE udp port 2055)?\n`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("faults are printed on stderr", () => {
    const r = run(join(CORPUS, "malformed/ipfix-netscaler-varlen-missing-templates.pcap"));
    expect([r.code, r.out, r.err.trim()]).toEqual([0, "", "decode faults: heldExpired=4"]);
  });

  test("an unreadable or foreign file is a one-line E_INPUT error, exit 1", () => {
    expect(run("/nonexistent/x.pcap")).toEqual({ code: 1, out: "", err: "error: /nonexistent/x.pcap: no such file\n" });
    expect(run(tmpdir())).toEqual({ code: 1, out: "", err: `error: ${tmpdir()}: is a directory, not a file\n` });
    const foreign = run(join(ROOT, "package.json"));
    expect(foreign.code).toBe(1);
    expect(run(join(CORPUS, "v5-mikrotik.pcap"), "--format", "xml").code).toBe(1);
  });
});
