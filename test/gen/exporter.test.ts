// One emulated exporter over a pool: sequence numbers per version, the template schedule, the
// short last datagram, and that a refused datagram is re-sent with the same sequence number.
import { describe, expect, test } from "bun:test";
import type { Version } from "../../src/gen/codec.ts";
import { createExporter } from "../../src/gen/exporter.ts";
import { parseNets } from "../../src/gen/net.ts";
import { buildPool } from "../../src/gen/pool.ts";

function pool(version: Version, records: number, datagrams = 3) {
  return buildPool(
    {
      version, records, datagrams, seed: 1, srcNets: parseNets("10.0.0.0/8"), dstNets: parseNets("192.0.2.0/24"),
      hostsSrc: 10, hostsDst: 10, zipf: 0, webShare: 0.5, octetsMin: 100, octetsMax: 100,
    },
    { exportMs: 1_700_000_000_000, uptimeMs: 60_000, sequence: 0, domain: 0 },
  );
}

/** [sequence, records, has template] of each of `n` datagrams sent at the given times. */
function run(version: Version, records: number, times: number[], every = 3, intervalMs = 10_000, last = records) {
  const p = pool(version, records);
  const ex = createExporter(p, 4, { every, intervalMs });
  return times.map((t, i) => {
    const d = ex.next(t, i === times.length - 1 ? last : records);
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const seq = v.getUint32(version === 5 ? 16 : version === 9 ? 12 : 8);
    const row = [seq, p.codec.records(v, d.length), ex.pending.withTemplate, d.length];
    ex.commit(t);
    return row;
  });
}

describe("exporter", () => {
  test("v9: packet sequence, template every 3 datagrams and after the interval", () => {
    const t = 1_700_000_000_000;
    expect(run(9, 2, [t, t, t, t, t + 10_000, t + 10_000, t + 10_000])).toEqual([
      [0, 2, true, 20 + 80 + 96],
      [1, 2, false, 116],
      [2, 2, false, 116],
      [3, 2, true, 196],
      [4, 2, true, 196], // 10 s since the last template
      [5, 2, false, 116],
      [6, 2, false, 116],
    ]);
  });
  test("IPFIX: sequence counts data records; a short last datagram", () => {
    const t = 1_700_000_000_000;
    expect(run(10, 4, [t, t, t, t], 3, 10_000, 1)).toEqual([
      [0, 4, true, 16 + 80 + 4 + 180],
      [4, 4, false, 200],
      [8, 4, false, 200],
      [12, 1, true, 16 + 80 + 4 + 45],
    ]);
  });
  test("v5: flow sequence, no templates", () => {
    const t = 1_700_000_000_000;
    expect(run(5, 30, [t, t, t], 1, 0, 7)).toEqual([
      [0, 30, false, 24 + 30 * 48],
      [30, 30, false, 24 + 30 * 48],
      [60, 7, false, 24 + 7 * 48],
    ]);
  });
  test("an uncommitted datagram is stamped again with the same sequence; totals count commits", () => {
    const p = pool(9, 2);
    const ex = createExporter(p, 1, { every: 100, intervalMs: 1e9 });
    ex.next(0, 2);
    ex.commit(0);
    const a = ex.next(0, 2).slice();
    const b = ex.next(0, 2).slice(); // the first was refused by the socket
    expect(b).toEqual(a);
    ex.commit(0);
    expect(ex.totals).toEqual({ datagrams: 2, records: 4, octets: 400 });
  });
});
