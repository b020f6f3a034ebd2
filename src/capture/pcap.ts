// Reads the UDP datagrams out of a capture file: classic libpcap (both byte orders, micro- and
// nanosecond timestamps) or pcapng. Pure: bytes in, datagrams out, each payload a view into the
// file's bytes (a copy only for a datagram reassembled from IP fragments, whose frame is the one
// that completed it). Garbage never throws: a frame we cannot use is counted in `skipped`. Only a file
// that is neither format at all is an error.
import { XenoflowError } from "../errors.ts";
import { createReassembler } from "./fragments.ts";
import { formatV4Bytes as formatIPv4, formatV6Bytes as formatIPv6 } from "../net/address.ts";
import { Outcome, newUdpView, udpInFrame } from "./packet.ts";
import { PCAPNG_SHB, walkPcapng } from "./pcapng.ts";

export interface CapturedDatagram {
  frame: number; // 1-based frame number in the file, as tshark counts them
  tsMs: number; // capture time, epoch milliseconds (fractional below 1 ms)
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Uint8Array; // a view into the file's bytes (reassembled fragments: a copy)
}

export interface CaptureRead {
  datagrams: CapturedDatagram[];
  /** Frames that gave no datagram (other protocols, cut short, filtered out, fragments never completed) plus unreadable tails. */
  skipped: number;
}

// https://www.tcpdump.org/manpages/pcap-savefile.5.html and draft-ietf-opsawg-pcap section 4
const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const PCAP_LINKTYPE_MASK = 0x0fffffff; // the top 4 bits carry FCS information (draft section 4)

export function readCapture(bytes: Uint8Array, opts: { ports?: readonly number[] } = {}): CaptureRead {
  const ports = opts.ports && opts.ports.length > 0 ? new Set(opts.ports) : null;
  const datagrams: CapturedDatagram[] = [];
  let skipped = 0;
  const view = newUdpView();
  const fragments = createReassembler();
  const visit = (frame: number, linkType: number, start: number, end: number, tsMs: number) => {
    const outcome = udpInFrame(linkType, bytes, start, end, view);
    const fmt = view.family === 4 ? formatIPv4 : formatIPv6;
    let payload: Uint8Array;
    if (outcome === Outcome.Fragment) {
      const key = `${fmt(bytes, view.srcAt)} ${fmt(bytes, view.dstAt)} ${view.fragId}`;
      const done = fragments.add(key, view.fragOffset, view.fragMore, bytes.subarray(view.fragStart, view.fragEnd));
      if (!done) return;
      if (!done.udp || (ports && !ports.has(done.udp.dstPort))) {
        skipped += done.frames;
        return;
      }
      view.srcPort = done.udp.srcPort;
      view.dstPort = done.udp.dstPort;
      payload = done.udp.payload;
    } else if (outcome !== Outcome.Udp || (ports && !ports.has(view.dstPort))) {
      skipped++;
      return;
    } else {
      payload = bytes.subarray(view.payloadStart, view.payloadEnd);
    }
    datagrams.push({
      frame,
      tsMs,
      src: fmt(bytes, view.srcAt),
      srcPort: view.srcPort,
      dst: fmt(bytes, view.dstAt),
      dstPort: view.dstPort,
      payload,
    });
  };
  const format = captureFormat(bytes);
  const broken = format === "pcapng" ? walkPcapng(bytes, visit).broken : walkPcap(bytes, format === "pcap-le", visit);
  return { datagrams, skipped: skipped + broken + fragments.incompleteFrames() };
}

type Format = "pcap-le" | "pcap-be" | "pcapng";

function captureFormat(b: Uint8Array): Format {
  if (b.length >= 4) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const le = v.getUint32(0, true);
    const be = v.getUint32(0, false);
    if (le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO) return "pcap-le";
    if (be === PCAP_MAGIC_MICRO || be === PCAP_MAGIC_NANO) return "pcap-be";
    if (le === PCAPNG_SHB) return "pcapng";
  }
  throw new XenoflowError("E_INPUT", "not a pcap or pcapng capture (unknown magic number)");
}

/** Classic pcap records; returns 1 when the file ends inside a header or a record, else 0. */
function walkPcap(b: Uint8Array, le: boolean, visit: (f: number, lt: number, s: number, e: number, ms: number) => void): number {
  if (b.length < PCAP_FILE_HEADER) return 1;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nano = v.getUint32(0, le) === PCAP_MAGIC_NANO;
  const linkType = v.getUint32(20, le) & PCAP_LINKTYPE_MASK;
  let at = PCAP_FILE_HEADER;
  let frame = 0;
  while (at + PCAP_RECORD_HEADER <= b.length) {
    const sec = v.getUint32(at, le);
    const frac = v.getUint32(at + 4, le);
    const cap = v.getUint32(at + 8, le);
    const start = at + PCAP_RECORD_HEADER;
    if (start + cap > b.length) return 1;
    visit(++frame, linkType, start, start + cap, sec * 1000 + (nano ? frac / 1e6 : frac / 1e3));
    at = start + cap;
  }
  return at < b.length ? 1 : 0;
}
