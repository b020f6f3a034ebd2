// Builders for the monitor tests and bench: a Config holding only MOs and fields, and records
// pushed into a real FlowBatch from readable values.
import type { Config, FieldDef, MavgDef, MoDef, WindowDef } from "../../src/config/types.ts";
import type { FlowBatch } from "../../src/flow/batch.ts";
import { type ClosedWindow, type Row, type WindowExport, headOf, rowCount, rowsOf } from "../../src/flow/export.ts";

export function config(mos: MoDef[], fields: FieldDef[] = []): Config {
  return {
    file: "/etc/xenoflow/test.toml",
    dataDir: "/tmp",
    collector: { name: "test", listen: [], workers: 1, recvBuffer: 0, allow: [], templatesPerExporter: 1, templatesTotal: 1, pendingBytesPerExporter: 0, pendingSeconds: 0, pendingBytesTotal: 0, optionsPerExporter: 1, optionsTotal: 1 },
    storage: { url: "sqlite::memory:", kind: "sqlite", retention: 86400, spoolMax: 0, partition: 0, collector: "test", interfaceCounters: 0 },
    http: { listen: null, token: null },
    alerts: { scriptTimeout: 30, scriptConcurrency: 4 },
    debug: { dumpFlows: "" },
    enrich: { country: null, asn: null, asSource: "auto", networks: null, inlineNetworks: 0 },
    networks: [],
    fields,
    exporters: [],
    mos,
  };
}

export function win(name: string, every: number, key: string[], values: WindowDef["values"], top = 0, extended = false): WindowDef {
  return { name, every, key, values, top, extended };
}

export function mavg(name: string, window: number, key: string[], values: MavgDef["values"], maxKeys = 1000): MavgDef {
  return { name, window, key, values, maxKeys, limits: [] };
}

export function mo(name: string, parent: string | null, windows: WindowDef[] = [], mavgs: MavgDef[] = [], filter = ""): MoDef {
  return { name, parent, filter, windows, mavgs };
}

/** IPv4 text to a word. */
export function v4(text: string): number {
  return text.split(".").reduce((a, p) => a * 256 + Number(p), 0);
}

/** Full-form IPv6 groups to four words ("2001:db8:0:0:0:0:0:1" style, "::" allowed once). */
export function v6(text: string): [number, number, number, number] {
  const [h, t] = text.split("::");
  const head = h ? h.split(":") : [];
  const tail = t ? t.split(":") : [];
  const g = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail].map((x) => parseInt(x, 16));
  return [0, 1, 2, 3].map((w) => ((g[w * 2]! << 16) | g[w * 2 + 1]!) >>> 0) as [number, number, number, number];
}

export interface Rec {
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  proto?: number;
  octets?: number;
  packets?: number;
  sampling?: number;
  at?: number; // arrival, epoch ms
  exporter?: string;
  nextHop?: string;
  srcAs?: number;
  dstAs?: number;
  inIf?: number;
  outIf?: number;
  tos?: number;
  tcpFlags?: number;
  vlan?: number;
  domain?: number;
  sampler?: number;
}

function putAddr(words: Uint32Array, fam: Uint8Array, i: number, text: string | undefined): void {
  if (text === undefined) {
    fam[i] = 0;
    words.fill(0, i * 4, i * 4 + 4);
  } else if (text.includes(":")) {
    fam[i] = 6;
    words.set(v6(text), i * 4);
  } else {
    fam[i] = 4;
    words.set([v4(text), 0, 0, 0], i * 4);
  }
}

/** Appends one record; returns its index. */
export function push(b: FlowBatch, r: Rec): number {
  const i = b.length++;
  putAddr(b.srcAddr, b.family, i, r.src);
  const fam = b.family[i]!;
  putAddr(b.dstAddr, b.family, i, r.dst);
  if (r.src !== undefined && r.dst === undefined) b.family[i] = fam;
  putAddr(b.exporterAddr, b.exporterFamily, i, r.exporter);
  putAddr(b.nextHop, b.nextHopFamily, i, r.nextHop);
  b.srcPort[i] = r.srcPort ?? 0;
  b.dstPort[i] = r.dstPort ?? 0;
  b.proto[i] = r.proto ?? 6;
  b.octets[i] = r.octets ?? 100;
  b.packets[i] = r.packets ?? 1;
  b.sampling[i] = r.sampling ?? 1;
  b.arrivalMs[i] = r.at ?? 1_700_000_000_000;
  b.srcAs[i] = r.srcAs ?? 0;
  b.dstAs[i] = r.dstAs ?? 0;
  b.inIf[i] = r.inIf ?? 0;
  b.outIf[i] = r.outIf ?? 0;
  b.tos[i] = r.tos ?? 0;
  b.tcpFlags[i] = r.tcpFlags ?? 0;
  b.vlan[i] = r.vlan ?? 0;
  b.domain[i] = r.domain ?? 0;
  b.sampler[i] = r.sampler ?? 0;
  return i;
}

/** The export with every row in `rows`, as a window that renders its own rows exports it (no source). */
export function rendered(e: WindowExport | ClosedWindow): { rows: readonly Row[] } & WindowExport {
  return { ...headOf(e), rows: rowsIn(e) };
}

/** Every row of an export or of a closed window that rendered its rows (a raw one has none yet). */
export function rowsIn(e: WindowExport | ClosedWindow): readonly Row[] {
  if ("raw" in e) throw new Error(`${e.table}: a raw window has no rows until a key renders them`);
  return rowsOf(e).slice(0, rowCount(e));
}
