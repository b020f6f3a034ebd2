// The decoder API: NetFlow v5 / v9 / IPFIX and sFlow v5 datagrams in, flows appended to a FlowBatch (the
// collector) or printed records (xenoflow decode, the flow dump) out, faults counted. Pure: the
// caller passes the arrival time; nothing here reads a clock, does I/O, logs or throws.
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import { type CompiledBatch, compileBatch } from "./compile-batch.ts";
import { type CompiledRecords, type FlowRecord, compileRecords, jsonFor } from "./compile-records.ts";
import type { LineSink } from "../flow/json-bytes.ts";
import { createCtx } from "./context.ts";
import { type Faults, createFaults } from "./faults.ts";
import { decodeIpfix } from "./ipfix.ts";
import type { Env, Output } from "./sets.ts";
import { type ExporterTemplates, list, restore, snapshot } from "./snapshot.ts";
import type { Template } from "./template.ts";
import { createTemplateStore } from "./templates.ts";
import { decodeV5, v5Template } from "./v5.ts";
import { decodeV9 } from "./v9.ts";
import { type SflowSink, createSflowDecoder, decodeSflow, isSflow } from "./sflow/datagram.ts";
import { countersRecord, flowRecord } from "./sflow/to-record.ts";
import { type FlowWriter, flowWriter } from "./sflow/to-batch.ts";
import { writeText } from "../flow/json-bytes.ts";

export type { FlowRecord } from "./compile-records.ts";
export type { Faults } from "./faults.ts";
export type { ExporterTemplates } from "./snapshot.ts";
export { type AgentStats, agentStats } from "./sflow/agents.ts";

export interface DecoderOptions {
  templatesPerExporter: number;
  templatesTotal: number;
  pendingBytesPerExporter: number;
  pendingMs: number;
  /** Held data bytes over all exporters; default 64 x pendingBytesPerExporter. */
  pendingBytesTotal?: number;
  /** Options entries (domains with options state, sampler rates) per exporter; default templatesPerExporter. */
  optionsPerExporter?: number;
  /** Options entries over all exporters; default templatesTotal. */
  optionsTotal?: number;
  /** Extra batch columns; the batches passed to decodeToBatch must be created with the same list. */
  extras?: readonly ExtraSpec[];
}

export interface ExporterRef {
  addr: string;
  id: number;
}

export interface DecoderStats {
  templates: number;
  heldBytes: number;
  records: number;
  datagrams: number;
}

export function createDecoder(opts: DecoderOptions) {
  const faults = createFaults();
  const store = createTemplateStore({
    ...opts,
    pendingBytesTotal: opts.pendingBytesTotal ?? 64 * opts.pendingBytesPerExporter,
    optionsPerExporter: opts.optionsPerExporter ?? opts.templatesPerExporter,
    optionsTotal: opts.optionsTotal ?? opts.templatesTotal,
  }, faults);
  const x = createCtx();
  const counts = { records: 0, datagrams: 0 };
  const extraSpecs = opts.extras ?? [];
  const v5 = v5Template();

  let batch: FlowBatch | null = null;
  let onFull: (b: FlowBatch) => void = () => {};
  let exporterAddr = "";
  // The flow dump, written from the same walk of each data set as the batch (one decode per datagram).
  let lines: LineSink | null = null;
  const toBatch: Output = {
    data(t, b, o, end) {
      if (lines !== null) jsonFor(t)(b, o, end, x, exporterAddr, lines);
      if (t.options || !batch) return;
      const fn = (t.batch ??= compileBatch(t, extraSpecs, faults)) as CompiledBatch;
      counts.records += fn(b, o, end, batch, x, onFull);
    },
  };

  let emit: (r: FlowRecord) => void = () => {};
  const toRecords: Output = {
    data(t: Template, b, o, end) {
      const fn = (t.records ??= compileRecords(t)) as CompiledRecords;
      let n = fn(b, o, end, x, exporterAddr, emit);
      if (n < 0) {
        faults.truncatedRecord++;
        n = -1 - n;
      }
      counts.records += n;
    },
  };

  // sFlow v5: samples go to the same batch, or the same printed records, as NetFlow's.
  const sflow = createSflowDecoder(faults);
  let writer: FlowWriter | null = null;
  let writerBatch: FlowBatch | null = null;
  // The flow dump: records are built only when it is on.
  const print = (r: FlowRecord) => {
    if (lines !== null) writeText(lines, `${JSON.stringify(r)}\n`);
  };
  const sflowToBatch: SflowSink = {
    flow(f) {
      if (lines !== null) print(flowRecord(f));
      if (!batch) return;
      if (writer === null || batch !== writerBatch) {
        writerBatch = batch;
        writer = flowWriter(batch);
      }
      writer(f, x, onFull);
      counts.records++;
    },
    counters(f, c) {
      if (lines !== null) print(countersRecord(f, c));
    },
    dropped(f) {
      if (lines !== null) print(flowRecord(f));
    },
  };
  const sflowToRecords: SflowSink = {
    flow(f) {
      emit(flowRecord(f));
      counts.records++;
    },
    counters: (f, c) => emit(countersRecord(f, c)),
    dropped: (f) => emit(flowRecord(f)),
  };

  const env: Env = { store, faults, x, out: toBatch };

  function decode(payload: Uint8Array, exporter: ExporterRef, arrivalMs: number): void {
    counts.datagrams++;
    if (isSflow(payload)) {
      x.exporterId = exporter.id;
      x.arrivalMs = arrivalMs;
      sflow.arrivalMs = arrivalMs;
      decodeSflow(sflow, payload, env.out === toBatch ? sflowToBatch : sflowToRecords);
      return;
    }
    if (payload.length < 2) {
      faults.truncatedHeader++;
      return;
    }
    const version = (payload[0]! << 8) | payload[1]!;
    if (version !== 5 && version !== 9 && version !== 10) {
      faults.unknownVersion++;
      return;
    }
    const e = store.exporter(exporter.addr);
    store.expireHeld(arrivalMs);
    x.exporterFamily = e.family;
    x.ea0 = e.words[0];
    x.ea1 = e.words[1];
    x.ea2 = e.words[2];
    x.ea3 = e.words[3];
    x.exporterId = exporter.id;
    x.arrivalMs = arrivalMs;
    x.headerRate = 0;
    if (version === 5) decodeV5(env, e, v5, payload);
    else if (version === 9) decodeV9(env, e, payload);
    else decodeIpfix(env, e, payload);
  }

  return {
    /**
     * Appends the datagram's flows to `b` (calling `full` whenever it fills); with `dump`, also
     * writes every record, options records included, as a JSON line (DESIGN.md section 4).
     */
    decodeToBatch(payload: Uint8Array, exporter: ExporterRef, arrivalMs: number, b: FlowBatch, full: (b: FlowBatch) => void, dump: LineSink | null = null): void {
      batch = b;
      onFull = full;
      lines = dump;
      exporterAddr = exporter.addr;
      env.out = toBatch;
      decode(payload, exporter, arrivalMs);
    },
    decodeToRecords(payload: Uint8Array, exporter: ExporterRef, arrivalMs: number, out: (r: FlowRecord) => void): void {
      emit = out;
      exporterAddr = exporter.addr;
      env.out = toRecords;
      decode(payload, exporter, arrivalMs);
    },
    /** Drops held data older than pendingMs at `nowMs` (counted in heldExpired); Infinity drops all. */
    expire(nowMs: number): void {
      store.expireHeld(nowMs);
    },
    faults: faults as Readonly<Faults>,
    /** sFlow agents (address + sub-agent id): lost samples, sample pool, drops, discards by reason. */
    sflowAgents: sflow.agents.agents,
    /** Records decoded so far: read per datagram on the hot path, so no object is built for it. */
    get records(): number {
      return counts.records;
    },
    get stats(): DecoderStats {
      return { templates: store.count(), heldBytes: store.heldBytes(), records: counts.records, datagrams: counts.datagrams };
    },
    templates: {
      /** The state as JSON-safe data (the template file); whoever saves it clears `dirty`. */
      snapshot: (): unknown => snapshot(store),
      /** Templates and learned sampling rates per exporter, for the dashboard. */
      list: (): ExporterTemplates[] => list(store),
      /** Loads a snapshot (unknown or damaged parts are ignored); returns templates restored. */
      restore: (s: unknown): number => restore(store, s),
      get dirty(): boolean {
        return store.dirty;
      },
      set dirty(v: boolean) {
        store.dirty = v;
      },
    },
  };
}

export type Decoder = ReturnType<typeof createDecoder>;
