// A strict reader of the Prometheus text format for the tests: every sample must belong to the
// family announced by the HELP and TYPE lines before it.

export interface Scrape {
  families: Map<string, { type: string; help: string }>;
  /** `name{a="x",b="y"}` (labels as printed) -> value. */
  samples: Map<string, number>;
}

export function parseScrape(text: string): Scrape {
  const families = new Map<string, { type: string; help: string }>();
  const samples = new Map<string, number>();
  let help = "";
  let family = "";
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      help = m[2] ?? "";
      family = "";
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (m) {
      family = m[1] ?? "";
      if (families.has(family)) throw new Error(`family ${family} twice`);
      families.set(family, { type: m[2] ?? "", help });
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)((?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (\S+)$/.exec(line);
    if (!m || m[1] !== family) throw new Error(`bad or orphan sample line: ${line}`);
    const key = `${m[1]}${m[2] ?? ""}`;
    if (samples.has(key)) throw new Error(`sample ${key} twice`);
    samples.set(key, m[3] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[3]));
  }
  return { families, samples };
}

/** Every family xenoflow exports, with its type: the /metrics contract. */
export const FAMILIES: Record<string, "counter" | "gauge"> = {
  xenoflow_build_info: "gauge",
  xenoflow_received_datagrams_total: "counter",
  xenoflow_received_bytes_total: "counter",
  xenoflow_denied_datagrams_total: "counter",
  xenoflow_exporter_datagrams_total: "counter",
  xenoflow_exporter_flows_total: "counter",
  xenoflow_exporter_bytes_total: "counter",
  xenoflow_exporter_last_seen_seconds: "gauge",
  xenoflow_worker_datagrams_total: "counter",
  xenoflow_worker_flows_total: "counter",
  xenoflow_kernel_drops_total: "counter",
  xenoflow_socket_receive_queue_bytes: "gauge",
  xenoflow_decoded_datagrams_total: "counter",
  xenoflow_decoded_flows_total: "counter",
  xenoflow_decode_faults_total: "counter",
  xenoflow_templates: "gauge",
  xenoflow_templates_evicted_total: "counter",
  xenoflow_templates_missing_total: "counter",
  xenoflow_held_bytes: "gauge",
  xenoflow_sflow_datagrams_total: "counter",
  xenoflow_sflow_samples_total: "counter",
  xenoflow_sflow_lost_samples_total: "counter",
  xenoflow_sflow_sample_pool: "gauge",
  xenoflow_sflow_agent_drops: "gauge",
  xenoflow_sflow_discarded_packets_total: "counter",
  xenoflow_sflow_interface_speed_bits: "gauge",
  xenoflow_sflow_interface_octets_total: "counter",
  xenoflow_sflow_interface_packets_total: "counter",
  xenoflow_sflow_interface_errors_total: "counter",
  xenoflow_sflow_interface_discards_total: "counter",
  xenoflow_stage_total: "counter",
  xenoflow_mo_flows_total: "counter",
  xenoflow_mo_octets_total: "counter",
  xenoflow_mo_packets_total: "counter",
  xenoflow_windows_closed_total: "counter",
  xenoflow_window_late_flows_total: "counter",
  xenoflow_window_overflow_flows_total: "counter",
  xenoflow_mavg_keys: "gauge",
  xenoflow_mavg_evicted_total: "counter",
  xenoflow_windows_exported_total: "counter",
  xenoflow_export_latency_seconds: "gauge",
  xenoflow_store_write_errors_total: "counter",
  xenoflow_spool_bytes: "gauge",
  xenoflow_spool_entries: "gauge",
  xenoflow_spool_dropped_exports_total: "counter",
  xenoflow_spool_dropped_rows_total: "counter",
  xenoflow_spool_dead_letter_exports_total: "counter",
  xenoflow_alerts_active: "gauge",
  xenoflow_alert_events_total: "counter",
  xenoflow_limit_file_errors_total: "counter",
  xenoflow_scripts_run_total: "counter",
  xenoflow_scripts_failed_total: "counter",
  xenoflow_scripts_timed_out_total: "counter",
  xenoflow_scripts_dropped_total: "counter",
  xenoflow_scripts_running: "gauge",
  xenoflow_process_cpu_seconds_total: "counter",
  xenoflow_process_resident_memory_bytes: "gauge",
  xenoflow_event_loop_lag_seconds: "gauge",
  xenoflow_uptime_seconds: "gauge",
  xenoflow_healthy: "gauge",
};
