// Decodes every flow datagram of a pcap/pcapng capture into printed records, in capture order:
// what `xenoflow decode` prints and what the corpus tests compare with tshark. The capture's
// frame times stand in for arrival times; each source address is one exporter.
import { readCapture } from "./pcap.ts";
import { type DecoderOptions, type Faults, type FlowRecord, createDecoder } from "../decode/index.ts";

export interface CaptureOptions extends Partial<DecoderOptions> {
  /** Only datagrams to these UDP destination ports (default: every UDP datagram). */
  ports?: readonly number[];
}

export interface CaptureDecode {
  rows: { frame: number; record: FlowRecord }[];
  faults: Faults;
  /** Frames that held no UDP datagram (or not to the chosen ports). */
  skipped: number;
  /** UDP datagrams whose header was NetFlow v5, v9 or IPFIX (the rest are counted as faults). */
  flowDatagrams: number;
}

// Generous for offline reading: a capture may hold data minutes before a template resend.
const CAPTURE_DEFAULTS: DecoderOptions = {
  templatesPerExporter: 4096,
  templatesTotal: 65536,
  pendingBytesPerExporter: 4 * 1024 * 1024,
  pendingMs: 10 * 60 * 1000,
};

/** Throws XenoflowError E_INPUT when the bytes are not a pcap or pcapng capture. */
export function decodeCapture(bytes: Uint8Array, opts: CaptureOptions = {}): CaptureDecode {
  const { ports, ...decoderOpts } = opts;
  const decoder = createDecoder({ ...CAPTURE_DEFAULTS, ...decoderOpts });
  const { datagrams, skipped } = readCapture(bytes, ports ? { ports } : {});
  const rows: CaptureDecode["rows"] = [];
  const ids = new Map<string, number>();
  let frame = 0;
  let flowDatagrams = 0;
  const f = decoder.faults;
  const headerFaults = () => f.unknownVersion + f.truncatedHeader + f.badMessageLength;
  const emit = (record: FlowRecord) => rows.push({ frame, record });
  for (const d of datagrams) {
    let id = ids.get(d.src);
    if (id === undefined) ids.set(d.src, (id = ids.size));
    frame = d.frame;
    const before = headerFaults();
    decoder.decodeToRecords(d.payload, { addr: d.src, id }, d.tsMs, emit);
    if (headerFaults() === before) flowDatagrams++;
  }
  decoder.expire(Number.POSITIVE_INFINITY); // data whose template never came is counted, not lost silently
  return { rows, faults: { ...decoder.faults }, skipped, flowDatagrams };
}
