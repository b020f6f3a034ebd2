import { describe, expect, test } from "bun:test";
import { createFaults } from "../../src/decode/faults.ts";
import { renderMetrics } from "../../src/http/metrics.ts";
import { FAMILIES, parseScrape } from "./prom.ts";
import { view } from "./view.ts";

describe("renderMetrics", () => {
  const text = renderMetrics(view(), [{ local: "127.0.0.1:2055", port: 2055, inode: 1, rxQueue: 4096, drops: 17 }], {
    uptimeSeconds: 60,
    cpuUserSeconds: 1.25,
    cpuSystemSeconds: 0.5,
    rssBytes: 50_000_000,
    loopLagSeconds: 0.004,
    healthy: false,
    version: "0.1.0",
  });
  const scrape = parseScrape(text);

  test("every family is present, once, with its type and help", () => {
    expect(Object.fromEntries([...scrape.families].map(([name, f]) => [name, f.type]))).toEqual(FAMILIES);
    for (const f of scrape.families.values()) expect(f.help.length).toBeGreaterThan(10);
  });

  test("samples carry the collector's counters, labels escaped", () => {
    expect(Object.fromEntries(scrape.samples)).toEqual({
      'xenoflow_build_info{version="0.1.0"}': 1,
      xenoflow_received_datagrams_total: 130,
      xenoflow_received_bytes_total: 99000,
      xenoflow_denied_datagrams_total: 4,
      'xenoflow_exporter_datagrams_total{exporter="192.0.2.1",version="9"}': 100,
      'xenoflow_exporter_datagrams_total{exporter="fe80::1%\\"eth0\\\\",version="5"}': 20,
      'xenoflow_exporter_datagrams_total{exporter="fe80::1%\\"eth0\\\\",version="10"}': 2,
      'xenoflow_exporter_datagrams_total{exporter="fe80::1%\\"eth0\\\\",version="other"}': 4,
      'xenoflow_exporter_datagrams_total{exporter="192.0.2.100",version="sflow5"}': 6,
      'xenoflow_exporter_flows_total{exporter="192.0.2.1"}': 2900,
      'xenoflow_exporter_flows_total{exporter="192.0.2.100"}': 40,
      'xenoflow_exporter_bytes_total{exporter="192.0.2.100"}': 7000,
      'xenoflow_exporter_last_seen_seconds{exporter="192.0.2.100"}': 1700000005.5,
      'xenoflow_exporter_flows_total{exporter="fe80::1%\\"eth0\\\\"}': 0,
      'xenoflow_exporter_bytes_total{exporter="192.0.2.1"}': 80000,
      'xenoflow_exporter_bytes_total{exporter="fe80::1%\\"eth0\\\\"}': 19000,
      'xenoflow_exporter_last_seen_seconds{exporter="192.0.2.1"}': 1700000005.5,
      'xenoflow_exporter_last_seen_seconds{exporter="fe80::1%\\"eth0\\\\"}': 1700000005.5,
      'xenoflow_worker_datagrams_total{worker="0"}': 70,
      'xenoflow_worker_datagrams_total{worker="1"}': 60,
      'xenoflow_worker_flows_total{worker="0"}': 1600,
      'xenoflow_worker_flows_total{worker="1"}': 1300,
      'xenoflow_kernel_drops_total{socket="127.0.0.1:2055"}': 17,
      'xenoflow_socket_receive_queue_bytes{socket="127.0.0.1:2055"}': 4096,
      xenoflow_decoded_datagrams_total: 126,
      xenoflow_decoded_flows_total: 2900,
      ...Object.fromEntries(
        Object.keys(createFaults()).map((k) => [`xenoflow_decode_faults_total{kind="${k}"}`, { unknownTemplate: 3, templateEvicted: 2, badSetLength: 1 }[k] ?? 0]),
      ),
      xenoflow_templates: 7,
      xenoflow_templates_evicted_total: 2,
      xenoflow_templates_missing_total: 3,
      xenoflow_held_bytes: 512,
      'xenoflow_sflow_datagrams_total{agent="192.0.2.100",sub_agent="1"}': 6,
      'xenoflow_sflow_samples_total{agent="192.0.2.100",sub_agent="1",kind="flow"}': 40,
      'xenoflow_sflow_samples_total{agent="192.0.2.100",sub_agent="1",kind="counters"}': 3,
      'xenoflow_sflow_samples_total{agent="192.0.2.100",sub_agent="1",kind="discarded"}': 2,
      'xenoflow_sflow_lost_samples_total{agent="192.0.2.100",sub_agent="1"}': 5,
      'xenoflow_sflow_sample_pool{agent="192.0.2.100",sub_agent="1"}': 4000,
      'xenoflow_sflow_agent_drops{agent="192.0.2.100",sub_agent="1"}': 1,
      'xenoflow_sflow_discarded_packets_total{agent="192.0.2.100",sub_agent="1",reason="259"}': 2,
      'xenoflow_sflow_interface_speed_bits{agent="192.0.2.100",sub_agent="1",if_index="7"}': 1e10,
      'xenoflow_sflow_interface_octets_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="in"}': 5e9,
      'xenoflow_sflow_interface_octets_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="out"}': 6e9,
      'xenoflow_sflow_interface_packets_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="in"}': 5e6,
      'xenoflow_sflow_interface_packets_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="out"}': 6e6,
      'xenoflow_sflow_interface_errors_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="in"}': 1,
      'xenoflow_sflow_interface_errors_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="out"}': 2,
      'xenoflow_sflow_interface_discards_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="in"}': 3,
      'xenoflow_sflow_interface_discards_total{agent="192.0.2.100",sub_agent="1",if_index="7",direction="out"}': 4,
      'xenoflow_stage_total{stage="sampling",counter="overridden"}': 40,
      'xenoflow_mo_flows_total{mo="all"}': 2900,
      'xenoflow_mo_flows_total{mo="web"}': 1468,
      'xenoflow_mo_octets_total{mo="all"}': 2.5e9,
      'xenoflow_mo_octets_total{mo="web"}': 1e9,
      'xenoflow_mo_packets_total{mo="all"}': 3e6,
      'xenoflow_mo_packets_total{mo="web"}': 1e6,
      'xenoflow_windows_closed_total{mo="all",window="proto"}': 12,
      'xenoflow_window_late_flows_total{mo="all",window="proto"}': 1,
      'xenoflow_window_overflow_flows_total{mo="all",window="proto"}': 0,
      'xenoflow_mavg_keys{mo="all",mavg="dst"}': 1498,
      'xenoflow_mavg_evicted_total{mo="all",mavg="dst"}': 6,
      xenoflow_windows_exported_total: 11,
      xenoflow_export_latency_seconds: 1.5,
      xenoflow_store_write_errors_total: 5,
      xenoflow_spool_bytes: 2048,
      xenoflow_spool_entries: 2,
      xenoflow_spool_dropped_exports_total: 1,
      xenoflow_spool_dropped_rows_total: 40,
      xenoflow_spool_dead_letter_exports_total: 0,
      xenoflow_alerts_active: 1,
      'xenoflow_alert_events_total{event="exceed"}': 3,
      'xenoflow_alert_events_total{event="normal"}': 2,
      xenoflow_limit_file_errors_total: 0,
      xenoflow_scripts_run_total: 5,
      xenoflow_scripts_failed_total: 2,
      xenoflow_scripts_timed_out_total: 1,
      xenoflow_scripts_dropped_total: 0,
      xenoflow_scripts_running: 0,
      'xenoflow_process_cpu_seconds_total{mode="user"}': 1.25,
      'xenoflow_process_cpu_seconds_total{mode="system"}': 0.5,
      xenoflow_process_resident_memory_bytes: 50000000,
      xenoflow_event_loop_lag_seconds: 0.004,
      xenoflow_uptime_seconds: 60,
      xenoflow_healthy: 0,
    });
  });
});
