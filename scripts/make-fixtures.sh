#!/usr/bin/env bash
# Re-creates the capture fixtures under test/capture/fixtures (capture-format samples) and
# test/fixtures/exporters (real exporters' NetFlow v5/v9/IPFIX). Needs root, tcpdump, tshark,
# editcap, softflowd, pmacct (pmacctd), nfdump (nfcapd, nfreplay), python3. Every packet goes to
# loopback only. Usage: scripts/make-fixtures.sh [formats|exporters|jsonl|all]
# (jsonl: only re-derive the exporters' X.tshark.jsonl from their captures)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WHAT=${1:-all}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

# Sends N small UDP datagrams ("xenoflow-fmt-<i>") to HOST:PORT.
send_udp() { python3 - "$@" <<'PY'
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"xenoflow-fmt-%d" % i, (host, port)); time.sleep(0.01)
PY
}

# Captures what `send_udp` sends while tcpdump runs with the given arguments.
capture() { # OUT PORT HOST N tcpdump-args...
  local out=$1 port=$2 host=$3 n=$4; shift 4
  tcpdump -U -w "$out" "$@" "udp port $port" 2>/dev/null & local pid=$!
  sleep 1; send_udp "$host" "$port" "$n"; sleep 1; kill -INT $pid; wait $pid || true
}

formats() {
  local F=test/capture/fixtures
  mkdir -p $F
  capture $F/lo-ethernet.pcap 39001 127.0.0.1 3 -i lo
  capture $F/any-sll2.pcap 39002 ::1 3 -i any
  capture $F/any-sll.pcap 39003 127.0.0.1 3 -i any -y LINUX_SLL
  capture $F/lo-ethernet-nano.pcap 39004 ::1 2 -i lo --time-stamp-precision=nano
  # Wireshark's own conversions of a corpus capture (same frames, other container formats).
  local C=/work/shared/corpus/vendors/v9-cisco-asa-2.pcap
  editcap -F pcapng "$C" $F/v9-cisco-asa-2.pcapng
  editcap -F nsecpcap "$C" $F/v9-cisco-asa-2.nsec.pcap
  for f in $F/*.pcap $F/*.pcapng; do
    tshark -r "$f" -T fields -e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e udp.srcport -e udp.dstport -e udp.length > "$f.tsv"
  done
}

# The source traffic: a deterministic pcap of TCP and UDP flows (IPv4), Ethernet, ~20 s long.
# No TCP FIN/RST, so no exporter splits a flow early: every 5-tuple is one record per exporter.
make_traffic() { python3 - "$1" "$2" <<'PY'
import json, random, struct, sys
out, totals = sys.argv[1], sys.argv[2]
rnd = random.Random(20231114)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
flows = []
for i in range(40):
    proto = 6 if i % 3 else 17
    src = bytes([10, 1, rnd.randrange(1, 5), rnd.randrange(1, 250)])
    dst = bytes([198, 51, 100, rnd.randrange(1, 250)])
    flows.append((src, dst, rnd.randrange(1024, 65000), rnd.choice([53, 80, 123, 443, 8080]), proto))
pkts, ident = [], 0
base = 1700000000.0
for f in flows:
    t = base + rnd.uniform(0, 15)
    for k in range(rnd.randrange(1, 16)):
        t += rnd.uniform(0.001, 0.4)
        pkts.append((t, f, rnd.randrange(0, 600)))
pkts.sort(key=lambda p: p[0])
recs, octets, seen, times = [], 0, set(), []
for t, (src, dst, sp, dp, proto), plen in pkts:
    ident = (ident + 1) & 0xffff
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sp, dp, rnd.getrandbits(32), rnd.getrandbits(32), 0x50, 0x18, 65535, 0, 0)
        ck = 16
    else:
        l4 = struct.pack("!HHHH", sp, dp, 8 + plen, 0)
        ck = 6
    l4 += bytes(rnd.getrandbits(8) for _ in range(plen))
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    c = csum(pseudo + l4) or 0xffff
    l4 = l4[:ck] + struct.pack("!H", c) + l4[ck + 2:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + hdr + l4
    sec = int(t); usec = int(round((t - sec) * 1e6))
    if usec == 1000000: sec, usec = sec + 1, 0
    recs.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
    times.append(sec * 1000 + usec / 1000)
    octets += 20 + len(l4)
    seen.add((src, dst, sp, dp, proto))
with open(out, "wb") as fh:
    fh.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + b"".join(recs))
with open(totals, "w") as fh:
    # firstMs/lastMs: the capture times of the first and last packet (epoch ms).
    json.dump({"flows": len(seen), "octets": octets, "packets": len(pkts),
               "firstMs": min(times), "lastMs": max(times)}, fh)
    fh.write("\n")
PY
}

# Runs "$@" (an exporter sending to 127.0.0.1:PORT) while tcpdump records that port on lo.
record() { # OUT PORT command...
  local out=$1 port=$2; shift 2
  tcpdump -U -i lo -w "$out" "udp dst port $port" 2>/dev/null & local pid=$!
  PIDS+=($pid)
  sleep 1; "$@" >>"$TMP/exporters.log" 2>&1 || echo "warning: $1 exited with $?" >&2
  sleep 2; kill -INT $pid; wait $pid || true
}

# tshark's decode of a fixture, reduced like the corpus (one object per record, cflow. prefix dropped).
tshark_jsonl() { # PCAP PORT
  tshark -r "$1" -d "udp.port==$2,cflow" -T json --no-duplicate-keys 2>/dev/null | python3 -c '
import json, sys
def records(tree, flowset=None):
    # Records are the "Flow N" nodes of a set (v9/IPFIX) or the "pdu i/n" nodes (v5).
    for k, v in tree.items():
        if not isinstance(v, dict):
            continue
        if k.startswith("Flow ") or k.startswith("pdu "):
            yield flowset, v
        elif k.startswith("Set ") or k.startswith("FlowSet "):
            yield from records(v, int(v.get("cflow.flowset_id", -1)))
SKIP = {"cflow.timedelta", "cflow.padding"}
def leaves(node, out):
    for k, v in node.items():
        if k.endswith("_tree") and isinstance(v, dict):
            if k != "cflow.tcpflags_tree":  # the flag bit breakdown is left out, as in the corpus
                leaves(v, out)
        elif k.startswith("cflow.") and k not in SKIP and not isinstance(v, dict):
            out[k[6:]] = v
for pkt in json.load(sys.stdin):
    layers = pkt["_source"]["layers"]
    frame = int(layers["frame"]["frame.number"])
    for flowset, rec in records(layers.get("cflow", {})):
        out = {"_frame": frame} if flowset is None else {"_frame": frame, "_flowset_id": flowset}
        leaves(rec, out)
        print(json.dumps(out))
'
}

# softflowd 1.1.0 reading a file sometimes blocks in accept() on its control socket before the
# first packet (a poll result it does not re-check); a control request unblocks it, so keep asking.
softflowd_file() { # PORT VERSION
  local ctl=/tmp/xenoflow-sf.ctl; rm -f $ctl
  softflowd -d -r $E/traffic.pcap -n 127.0.0.1:$1 -v $2 -p /tmp/xenoflow-sf.pid -c $ctl & local pid=$!
  while kill -0 $pid 2>/dev/null; do sleep 0.2; [ -S $ctl ] && softflowctl -c $ctl statistics >/dev/null 2>&1 || true; done
  wait $pid
}

exporters() {
  E=test/fixtures/exporters
  mkdir -p $E
  make_traffic $E/traffic.pcap $E/traffic.totals.json
  local v port=39100
  for v in 5 9 10; do
    port=$((port + 1))
    record $E/softflowd-v$v.pcap $port softflowd_file $port $v
  done
  for v in 5 9 10; do
    port=$((port + 1))
    cat > $TMP/pmacctd.conf <<CONF
daemonize: false
pcap_savefile: $ROOT/$E/traffic.pcap
plugins: nfprobe
nfprobe_receiver: 127.0.0.1:$port
nfprobe_version: $v
nfprobe_timeouts: tcp=3600:udp=3600:general=3600:maxlife=604800
aggregate: src_host, dst_host, src_port, dst_port, proto, tos
CONF
    record $E/pmacct-v$v.pcap $port pmacctd -f $TMP/pmacctd.conf
  done
  # nfdump: nfcapd stores softflowd's v9 export; nfreplay sends the stored flows as v5 and v9.
  port=$((port + 1)); local nfport=$port
  mkdir -p $TMP/nfcapd
  nfcapd -p $nfport -b 127.0.0.1 -w $TMP/nfcapd -t 3600 & PIDS+=($!)
  sleep 1
  softflowd_file $nfport 9 >>"$TMP/exporters.log" 2>&1
  sleep 1; kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || true
  local nffile; nffile=$(ls $TMP/nfcapd/nfcapd.* | grep -v current | head -1)
  for v in 5 9; do
    port=$((port + 1))
    record $E/nfreplay-v$v.pcap $port nfreplay -r "$nffile" -H 127.0.0.1 -p $port -v $v
  done
  for f in $E/*-v*.pcap; do cp $E/traffic.totals.json "${f%.pcap}.totals.json"; done
  jsonl
}

jsonl() {
  for f in test/fixtures/exporters/*-v*.pcap; do
    local p; p=$(tshark -r "$f" -T fields -e udp.dstport 2>/dev/null | head -1)
    tshark_jsonl "$f" "$p" > "${f%.pcap}.tshark.jsonl"
  done
}

case $WHAT in
  formats) formats ;;
  exporters) exporters ;;
  jsonl) jsonl ;;
  all) formats; exporters ;;
esac
