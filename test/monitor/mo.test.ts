import { describe, expect, test } from "bun:test";
import type { FieldDef } from "../../src/config/types.ts";
import { XenoflowError } from "../../src/errors.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { createMonitor, requiredExtras, type Predicate } from "../../src/monitor/mo.ts";
import { config, mavg, mo, push, rowsIn, win } from "./helpers.ts";

const T = 1_700_000_040_000;
const S = T / 1000;

const tcp: Predicate = (b, i) => b.proto[i] === 6;
const web: Predicate = (b, i) => b.dstPort[i] === 80 || b.dstPort[i] === 443;

function batch(recs: Parameters<typeof push>[1][], extras: Parameters<typeof createBatch>[0] = []): FlowBatch {
  const b = createBatch(extras, 16);
  for (const r of recs) push(b, r);
  return b;
}

describe("monitoring-object tree", () => {
  const cfg = config([
    mo("all", null, [win("proto", 30, ["proto"], ["flows", "octets"])], [], ""),
    mo("tcp", "all", [win("ports", 30, ["dst port"], ["flows"])], [mavg("dst_rate", 5, ["dst host"], ["packets"])], "proto tcp"),
    mo("web", "tcp", [win("talkers", 30, ["src host", "dst host"], ["octets"])], [], "dst port 80 or dst port 443"),
    mo("dns", null, [win("servers", 30, ["dst host"], ["flows"])], [], "dst port 53"),
  ]);
  const recs = [
    { proto: 6, src: "10.0.0.1", dst: "10.0.0.9", dstPort: 443, octets: 100, sampling: 10, at: T },
    { proto: 17, src: "10.0.0.2", dst: "10.0.0.53", dstPort: 53, octets: 60, at: T },
    { proto: 17, src: "10.0.0.3", dst: "10.0.0.9", dstPort: 443, octets: 1200, at: T }, // QUIC: not tcp, so never web
    { proto: 6, src: "10.0.0.4", dst: "10.0.0.9", dstPort: 22, octets: 80, at: T + 1 },
  ];

  test("routes records down the tree; a child never sees what its parent rejected", () => {
    const seenByWeb: number[] = [];
    const preds = new Map<string, Predicate>([
      ["tcp", tcp],
      ["web", (b, i) => (seenByWeb.push(i), web(b, i))],
      ["dns", (b, i) => b.dstPort[i] === 53],
    ]);
    const m = createMonitor(cfg, preds);
    m.process(batch(recs));
    expect(seenByWeb).toEqual([0, 3]);
    expect(m.collect(T + 30_000)).toEqual([
      { mo: "all", window: "proto", table: "all_proto", time: S, keys: [{ name: "proto", type: "uint" }], values: ["flows", "octets"], rows: [[6, 2, 1080], [17, 2, 1260]] },
      { mo: "tcp", window: "ports", table: "tcp_ports", time: S, keys: [{ name: "dst_port", type: "uint" }], values: ["flows"], rows: [[443, 1], [22, 1]] },
      {
        mo: "web",
        window: "talkers",
        table: "web_talkers",
        time: S,
        keys: [{ name: "src_host", type: "address" }, { name: "dst_host", type: "address" }],
        values: ["octets"],
        rows: [["10.0.0.1", "10.0.0.9", 1000]],
      },
      { mo: "dns", window: "servers", table: "dns_servers", time: S, keys: [{ name: "dst_host", type: "address" }], values: ["flows"], rows: [["10.0.0.53", 1]] },
    ]);
    expect({ ...m.counters }).toEqual({
      names: ["all", "tcp", "web", "dns"],
      tested: Float64Array.of(4, 4, 2, 4),
      matched: Float64Array.of(4, 2, 1, 1),
      octets: Float64Array.of(2340, 1080, 1000, 60),
      packets: Float64Array.of(13, 11, 10, 1),
    });
    const a = m.mavgs[0]!;
    expect([a.mo, a.size, a.renderKey(0)]).toEqual(["tcp", 1, ["10.0.0.9"]]);
    // 10 packets at T, 1 at T + 1 ms, tau 5 s.
    expect(a.rate(0, 0, T + 1)).toBeCloseTo((10 / 5) * Math.exp(-0.001 / 5) + 1 / 5, 12);
  });

  test("predicates may come from a function; a missing one is an internal error", () => {
    const m = createMonitor(cfg, (def) => ({ tcp, web, dns: ((b, i) => b.dstPort[i] === 53) as Predicate })[def.name]);
    m.process(batch(recs));
    expect(m.flush().map((x) => [x.table, rowsIn(x).length])).toEqual([
      ["all_proto", 2],
      ["tcp_ports", 2],
      ["web_talkers", 1],
      ["dns_servers", 1],
    ]);
    expect(() => createMonitor(cfg, new Map([["tcp", tcp]]))).toThrow(new XenoflowError("E_INTERNAL", "monitor: no compiled filter for MO web"));
  });

  test("children are processed after their parent even when the config lists them first", () => {
    const c = config([mo("child", "root", [win("w", 30, ["proto"], ["flows"])], [], "tcp"), mo("root", null, [], [], "")]);
    const m = createMonitor(c, new Map([["child", tcp]]));
    m.process(batch([{ proto: 6, at: T }, { proto: 17, at: T }]));
    expect(m.counters.names).toEqual(["root", "child"]);
    expect(m.flush().map((x) => rowsIn(x))).toEqual([[[6, 1]]]);
  });

  test("extended windows are found by mo/window and switched by reference count", () => {
    const c = config([mo("edge", null, [win("detail", 30, ["src host"], ["flows"], 0, true)], [], "")]);
    const m = createMonitor(c, new Map());
    const w = m.window("edge/detail")!;
    m.process(batch([{ src: "10.0.0.1", at: T }]));
    w.enable();
    m.process(batch([{ src: "10.0.0.2", at: T }]));
    w.disable();
    m.process(batch([{ src: "10.0.0.3", at: T }]));
    expect(m.window("edge/nothing")).toBeUndefined();
    expect(m.flush().map((x) => rowsIn(x))).toEqual([[["10.0.0.2", 1]]]);
  });

  test("string keys survive the batch owner clearing its string table", () => {
    const fields: FieldDef[] = [{ name: "app", pen: 0, element: 96, type: "string" }];
    const c = config([mo("apps", null, [win("by_app", 30, ["app"], ["flows"])], [mavg("app_rate", 5, ["app"], ["flows"])], "")], fields);
    const extras = requiredExtras(c);
    expect(extras).toEqual([{ pen: 0, element: 96, type: "string" }]);
    const m = createMonitor(c, new Map(), { extras });
    const b = createBatch(extras, 8);
    for (const [name, at] of [["ssh", T], ["dns", T + 1], ["ssh", T + 2]] as const) {
      b.length = 0;
      b.strings.length = 0; // a new owner table each batch: ids restart at 0
      b.strings.push(name);
      push(b, { at });
      b.extra[0]!.num[0] = 0;
      m.process(b);
    }
    expect(m.flush()).toEqual([{ mo: "apps", window: "by_app", table: "apps_by_app", time: S, keys: [{ name: "app", type: "string" }], values: ["flows"], rows: [["ssh", 2], ["dns", 1]] }]);
    const a = m.mavgs[0]!;
    expect(Array.from({ length: a.size }, (_, e) => a.renderKey(e)[0])).toEqual(["ssh", "dns"]);
  });

  test("a key the batch has no column for is refused at build time", () => {
    const c = config([mo("x", null, [win("w", 30, ["vrf"], ["flows"])], [], "")], [{ name: "vrf", pen: 0, element: 234, type: "uint" }]);
    expect(() => createMonitor(c, new Map())).toThrow('key "vrf": the flow batch has no column for element 234');
  });

  test("two key fields with one column name are a config error", () => {
    const c = config([mo("x", null, [win("w", 30, ["src net/24", "src net/16"], ["flows"])], [], "")]);
    expect(() => createMonitor(c, new Map())).toThrow('/etc/xenoflow/test.toml: mo x, window w: key column "src_net" appears twice');
  });

  test("collect() sweeps idle moving-average keys", () => {
    const c = config([mo("m", null, [], [mavg("r", 1, ["dst host"], ["flows"])], "")]);
    const m = createMonitor(c, new Map(), { sweepEveryMs: 1000 });
    m.process(batch([{ dst: "10.0.0.1", at: T }]));
    expect(m.collect(T + 1000)).toEqual([]);
    expect(m.mavgs[0]!.size).toBe(1);
    m.collect(T + 60_000);
    expect([m.mavgs[0]!.size, m.mavgs[0]!.counters.swept]).toEqual([0, 1]);
  });
});
