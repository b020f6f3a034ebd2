// /metrics: every counter a running collector keeps, in Prometheus text format, read at scrape
// time. Pure: the caller passes the process figures and kernel socket rows it measured, so the
// output can be checked line by line.
import { createExposition } from "./exposition.ts";
import type { UdpSocketRow } from "./kernel-drops.ts";
import type { CollectorView } from "./sources.ts";
import { SFLOW_VERSION_SLOT } from "../collector/ingest.ts";

export interface ProcessFigures {
  uptimeSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  rssBytes: number;
  loopLagSeconds: number;
  healthy: boolean;
  version: string;
}

const VERSIONS = [5, 9, 10] as const;

export function renderMetrics(c: CollectorView, sockets: readonly UdpSocketRow[], p: ProcessFigures): string {
  const x = createExposition();
  const counter = (name: string, help: string) => x.family(name, "counter", help);
  const gauge = (name: string, help: string) => x.family(name, "gauge", help);

  gauge("xenoflow_build_info", "Always 1; the version label says which build runs.");
  x.sample(1, { version: p.version });

  // Receive and per exporter.
  const rc = c.receiver.counters;
  counter("xenoflow_received_datagrams_total", "UDP datagrams read from the collector's sockets, before the allowlist.");
  x.sample(rc.datagrams);
  counter("xenoflow_received_bytes_total", "UDP payload bytes read from the collector's sockets, before the allowlist.");
  x.sample(rc.bytes);
  counter("xenoflow_denied_datagrams_total", "Datagrams dropped because the exporter is not in collector.allow.");
  x.sample(rc.denied);
  const exporters = [...c.exporters.values()];
  counter("xenoflow_exporter_datagrams_total", "Datagrams accepted per exporter address and version (5, 9, 10, sflow5; other = none of these).");
  for (const e of exporters) {
    const sflow = e.versions[SFLOW_VERSION_SLOT] ?? 0;
    let known = sflow;
    for (const v of VERSIONS) {
      const n = e.versions[v] ?? 0;
      known += n;
      if (n > 0) x.sample(n, { exporter: e.addr, version: v });
    }
    if (sflow > 0) x.sample(sflow, { exporter: e.addr, version: "sflow5" });
    if (e.datagrams > known) x.sample(e.datagrams - known, { exporter: e.addr, version: "other" });
  }
  counter("xenoflow_exporter_flows_total", "Flow records decoded per exporter address.");
  for (const e of exporters) x.sample(e.flows, { exporter: e.addr });
  counter("xenoflow_exporter_bytes_total", "Datagram payload bytes accepted per exporter address.");
  for (const e of exporters) x.sample(e.bytes, { exporter: e.addr });
  gauge("xenoflow_exporter_last_seen_seconds", "Arrival time of the exporter's latest datagram, Unix seconds.");
  for (const e of exporters) x.sample(e.lastSeenMs / 1000, { exporter: e.addr });

  // The kernel spreads exporters over the workers by address and port: few exporters can load one
  // worker. No samples with a single thread.
  counter("xenoflow_worker_datagrams_total", "Datagrams read per collector worker (collector.workers > 1).");
  c.workers.forEach((w, i) => x.sample(w.datagrams, { worker: i }));
  counter("xenoflow_worker_flows_total", "Flow records decoded per collector worker (collector.workers > 1).");
  c.workers.forEach((w, i) => x.sample(w.records, { worker: i }));

  // With workers every one has its own socket on each listen address (SO_REUSEPORT): one sample
  // per address, the sum over its sockets.
  const byLocal = new Map<string, { drops: number; rxQueue: number }>();
  for (const s of sockets) {
    const t = byLocal.get(s.local);
    if (t === undefined) byLocal.set(s.local, { drops: s.drops, rxQueue: s.rxQueue });
    else {
      t.drops += s.drops;
      t.rxQueue += s.rxQueue;
    }
  }
  counter("xenoflow_kernel_drops_total", "Datagrams the kernel dropped on the collector's sockets (receive buffer full), from /proc/net/udp{,6}.");
  for (const [local, s] of byLocal) x.sample(s.drops, { socket: local });
  gauge("xenoflow_socket_receive_queue_bytes", "Bytes waiting in the kernel receive queue of each collector socket.");
  for (const [local, s] of byLocal) x.sample(s.rxQueue, { socket: local });

  // Decode.
  const st = c.decoder.stats;
  counter("xenoflow_decoded_datagrams_total", "Datagrams handed to the decoder.");
  x.sample(st.datagrams);
  counter("xenoflow_decoded_flows_total", "Flow records decoded (options records excluded).");
  x.sample(st.records);
  counter("xenoflow_decode_faults_total", "Malformed or undecodable input, by kind; the rest of the datagram is kept where possible.");
  for (const [kind, n] of Object.entries(c.decoder.faults)) x.sample(n, { kind });
  gauge("xenoflow_templates", "Templates known, over all exporters and observation domains.");
  x.sample(st.templates);
  counter("xenoflow_templates_evicted_total", "Templates pushed out by the per-exporter or total template bound.");
  x.sample(c.decoder.faults.templateEvicted);
  counter("xenoflow_templates_missing_total", "Data sets whose template had not arrived and that could not be held.");
  x.sample(c.decoder.faults.unknownTemplate);
  gauge("xenoflow_held_bytes", "Data set bytes held while their template has not arrived yet.");
  x.sample(st.heldBytes);

  // sFlow agents, keyed by agent address and sub-agent id (the UDP source may differ).
  const agents = [...c.decoder.sflowAgents.values()];
  const agent = (a: (typeof agents)[number]) => ({ agent: a.agent, sub_agent: a.subAgent });
  counter("xenoflow_sflow_datagrams_total", "sFlow datagrams per agent (agent address and sub-agent id).");
  for (const a of agents) x.sample(a.datagrams, agent(a));
  counter("xenoflow_sflow_samples_total", "sFlow samples per agent and kind: flow, counters, discarded.");
  for (const a of agents) {
    x.sample(a.flowSamples, { ...agent(a), kind: "flow" });
    x.sample(a.counterSamples, { ...agent(a), kind: "counters" });
    x.sample(a.discardedSamples, { ...agent(a), kind: "discarded" });
  }
  counter("xenoflow_sflow_lost_samples_total", "Flow samples missing from an agent's sequence numbers (lost between the agent and the collector).");
  for (const a of agents) x.sample(a.lostSamples, agent(a));
  gauge("xenoflow_sflow_sample_pool", "Packets the agent's sampled sources saw (sample_pool, summed over its sources' latest samples; 32-bit, wraps).");
  for (const a of agents) x.sample(a.pool, agent(a));
  gauge("xenoflow_sflow_agent_drops", "Samples the agent dropped for lack of resources, as it reports (summed over its sources' latest samples).");
  for (const a of agents) x.sample(a.drops, agent(a));
  counter("xenoflow_sflow_discarded_packets_total", "Discarded-packet samples per agent and drop reason (sFlow drops extension).");
  for (const a of agents) for (const [reason, n] of a.dropReasons) x.sample(n, { ...agent(a), reason });
  // Interface counters from counter samples, as the agent counts them (rates are the scraper's).
  const ifs = agents.flatMap((a) => [...a.interfaces.values()].map((i) => ({ labels: { ...agent(a), if_index: i.ifIndex }, i })));
  gauge("xenoflow_sflow_interface_speed_bits", "Interface speed from the agent's counter samples (ifSpeed), bits per second.");
  for (const { labels, i } of ifs) x.sample(i.speed, labels);
  const pair = (name: string, help: string, pick: (i: (typeof ifs)[number]["i"]) => [number, number]) => {
    counter(name, help);
    for (const { labels, i } of ifs) {
      const [rx, tx] = pick(i);
      x.sample(rx, { ...labels, direction: "in" });
      x.sample(tx, { ...labels, direction: "out" });
    }
  };
  pair("xenoflow_sflow_interface_octets_total", "Interface octets from counter samples (ifIn/OutOctets).", (i) => [i.inOctets, i.outOctets]);
  pair("xenoflow_sflow_interface_packets_total", "Interface packets from counter samples (unicast + multicast + broadcast).", (i) => [i.inPackets, i.outPackets]);
  pair("xenoflow_sflow_interface_errors_total", "Interface errors from counter samples (ifIn/OutErrors).", (i) => [i.inErrors, i.outErrors]);
  pair("xenoflow_sflow_interface_discards_total", "Interface discards from counter samples (ifIn/OutDiscards).", (i) => [i.inDiscards, i.outDiscards]);
  // Stages between decode and monitor (collector/plan.ts): each stage's own counters.
  counter("xenoflow_stage_total", "Per stage between decode and monitor, its counters (sampling: records whose rate [[exporter]] forced).");
  for (const st of c.stages) for (const [name, n] of Object.entries(st.counters)) x.sample(n, { stage: st.name, counter: name });

  // Monitoring objects.
  const mc = c.monitor.counters;
  counter("xenoflow_mo_flows_total", "Flow records each monitoring object matched.");
  mc.names.forEach((mo, m) => x.sample(mc.matched[m] ?? 0, { mo }));
  counter("xenoflow_mo_octets_total", "Octets (times the sampling rate) each monitoring object matched.");
  mc.names.forEach((mo, m) => x.sample(mc.octets[m] ?? 0, { mo }));
  counter("xenoflow_mo_packets_total", "Packets (times the sampling rate) each monitoring object matched.");
  mc.names.forEach((mo, m) => x.sample(mc.packets[m] ?? 0, { mo }));
  counter("xenoflow_windows_closed_total", "Fixed windows closed and handed to the store, per window.");
  for (const w of c.monitor.windows) x.sample(w.counters.exported, { mo: w.mo, window: w.def.name });
  counter("xenoflow_window_late_flows_total", "Records that arrived after their window closed (added to the open one).");
  for (const w of c.monitor.windows) x.sample(w.counters.late, { mo: w.mo, window: w.def.name });
  counter("xenoflow_window_overflow_flows_total", "Records summed into the null-key row because the window's table was full.");
  for (const w of c.monitor.windows) x.sample(w.counters.overflow, { mo: w.mo, window: w.def.name });
  gauge("xenoflow_mavg_keys", "Live keys of each moving average.");
  for (const a of c.monitor.mavgs) x.sample(a.size, { mo: a.mo, mavg: a.def.name });
  counter("xenoflow_mavg_evicted_total", "Moving-average keys evicted because the table was full.");
  for (const a of c.monitor.mavgs) x.sample(a.counters.evicted, { mo: a.mo, mavg: a.def.name });

  // Store and spool.
  const sp = c.sink.stats();
  counter("xenoflow_windows_exported_total", "Window exports committed to the database.");
  x.sample(sp.written);
  gauge("xenoflow_export_latency_seconds", "Spool append to database commit, of the latest export written.");
  x.sample(sp.lastLatencyMs / 1000);
  counter("xenoflow_store_write_errors_total", "Failed database writes (each retried from the spool).");
  x.sample(sp.writeErrors);
  gauge("xenoflow_spool_bytes", "Unsent window exports in the disk spool, bytes.");
  x.sample(sp.bytes);
  gauge("xenoflow_spool_entries", "Unsent window exports in the disk spool.");
  x.sample(sp.entries);
  counter("xenoflow_spool_dropped_exports_total", "Window exports dropped, oldest first, because the spool reached spool_max.");
  x.sample(sp.droppedExports);
  counter("xenoflow_spool_dropped_rows_total", "Rows of the dropped window exports.");
  x.sample(sp.droppedRows);
  counter("xenoflow_spool_dead_letter_exports_total", "Window exports whose values the database can never take, moved to data_dir/dead-letter.jsonl.");
  x.sample(sp.deadLetterExports);

  // Alerts and scripts.
  gauge("xenoflow_alerts_active", "Alerts currently active (a key over a limit).");
  x.sample(c.alerts.active().length);
  counter("xenoflow_alert_events_total", "Alert events by kind: exceed or below (started) and normal (ended).");
  x.sample(c.alerts.counters.exceed, { event: "exceed" });
  x.sample(c.alerts.counters.below, { event: "below" });
  x.sample(c.alerts.counters.normal, { event: "normal" });
  counter("xenoflow_limit_file_errors_total", "Failed reloads of per-key limit files (the previous thresholds stay).");
  x.sample(c.alerts.counters.overrideErrors);
  const rs = c.runner.stats;
  counter("xenoflow_scripts_run_total", "Alert scripts started.");
  x.sample(rs.started);
  counter("xenoflow_scripts_failed_total", "Alert scripts that exited non-zero or could not start.");
  x.sample(rs.failed);
  counter("xenoflow_scripts_timed_out_total", "Alert scripts killed at script_timeout.");
  x.sample(rs.timedOut);
  counter("xenoflow_scripts_dropped_total", "Alert scripts not run because the queue was full.");
  x.sample(rs.dropped);
  gauge("xenoflow_scripts_running", "Alert scripts running now.");
  x.sample(rs.running);

  // Process.
  counter("xenoflow_process_cpu_seconds_total", "CPU time of the collector process, by mode.");
  x.sample(p.cpuUserSeconds, { mode: "user" });
  x.sample(p.cpuSystemSeconds, { mode: "system" });
  gauge("xenoflow_process_resident_memory_bytes", "Resident set size of the collector process.");
  x.sample(p.rssBytes);
  gauge("xenoflow_event_loop_lag_seconds", "Worst event-loop delay since the previous scrape, from timer drift.");
  x.sample(p.loopLagSeconds);
  gauge("xenoflow_uptime_seconds", "Seconds since the collector started.");
  x.sample(p.uptimeSeconds);
  gauge("xenoflow_healthy", "1 when /healthz answers 200, 0 when it answers 503.");
  x.sample(p.healthy ? 1 : 0);
  return x.text();
}
