// One emulated exporter: its id (v5 engine id, v9 source id, IPFIX domain), its sequence number,
// its walk through the shared pool, and when its template is due again. next() stamps and returns
// the datagram to send; commit() is called only once the socket took it, so a datagram refused
// by the socket is sent again with the same sequence number.
import type { Header } from "./codec.ts";
import { MAX_PAYLOAD } from "./layout.ts";
import { type Pool, partialOctets } from "./pool.ts";

export interface TemplateRefresh {
  /** Datagrams between template sets (real exporters: Cisco's default is 20). */
  every: number;
  /** Milliseconds between template sets, whichever comes first. */
  intervalMs: number;
}

export interface Exporter {
  readonly domain: number;
  /** Data records in the datagram next() returned last, and their octets. */
  readonly pending: { records: number; octets: number; withTemplate: boolean };
  readonly totals: { datagrams: number; records: number; octets: number };
  /** Stamps the next datagram (n records, at most the pool's) with `nowMs` and returns it. */
  next(nowMs: number, n: number): Uint8Array;
  commit(nowMs: number): void;
}

export function createExporter(pool: Pool, domain: number, refresh: TemplateRefresh, start = 0): Exporter {
  const codec = pool.codec;
  const hasTemplate = codec.template.length > 0;
  const scratch = new Uint8Array(MAX_PAYLOAD);
  const scratchView = new DataView(scratch.buffer);
  // The clock advances with the export time, but sysUpTime stays where the pool was encoded:
  // record times are uptime-relative, so this keeps every pooled flow ending within the last
  // second before each export instead of ageing by the run's length.
  const header: Header = { exportMs: 0, uptimeMs: pool.built.uptimeMs, sequence: 0, domain };
  const pending = { records: 0, octets: 0, withTemplate: false };
  const totals = { datagrams: 0, records: 0, octets: 0 };
  let cursor = start % pool.datagrams.length;
  let sinceTemplate = 0;
  let lastTemplateMs = Number.NEGATIVE_INFINITY;

  function next(nowMs: number, n: number): Uint8Array {
    const withTemplate =
      hasTemplate && (totals.datagrams === 0 || sinceTemplate >= refresh.every || nowMs - lastTemplateMs >= refresh.intervalMs);
    header.exportMs = nowMs;
    header.sequence = codec.version === 9 ? totals.datagrams : totals.records;
    pending.records = n;
    pending.withTemplate = withTemplate;
    let out: Uint8Array;
    let view: DataView;
    if (withTemplate || n < pool.records) {
      const len = codec.compose(pool.datagrams[cursor] as Uint8Array, n, withTemplate, scratch);
      out = scratch.subarray(0, len);
      view = scratchView;
      pending.octets = n < pool.records ? partialOctets(pool, cursor, n) : (pool.octets[cursor] ?? 0);
    } else {
      out = pool.datagrams[cursor] as Uint8Array;
      view = pool.views[cursor] as DataView;
      pending.octets = pool.octets[cursor] ?? 0;
    }
    codec.stamp(view, header);
    return out;
  }

  function commit(nowMs: number): void {
    totals.datagrams++;
    totals.records += pending.records;
    totals.octets += pending.octets;
    cursor = cursor + 1 === pool.datagrams.length ? 0 : cursor + 1;
    // Counting the template-bearing datagram itself puts templates in datagrams 0, N, 2N, ...
    if (pending.withTemplate) {
      sinceTemplate = 1;
      lastTemplateMs = nowMs;
    } else sinceTemplate++;
  }

  return { domain, pending, totals, next, commit };
}
