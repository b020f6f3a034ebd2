#!/usr/bin/env bash
# Re-creates the capture fixtures under test/capture/fixtures (capture-format samples),
# test/fixtures/exporters (real exporters' NetFlow v5/v9/IPFIX) and test/fixtures/sflow (pmacctd's
# sFlow v5). Needs root, tcpdump (sflow: dumpcap), tshark, editcap, softflowd, pmacct (pmacctd),
# nfdump (nfcapd, nfreplay), python3. Every packet goes to loopback only.
# Usage: scripts/make-fixtures.sh [formats|exporters|jsonl|sflow|sflow-jsonl|all]
# (jsonl, sflow-jsonl: only re-derive X.tshark.jsonl from the captures)
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

# The sFlow source traffic: Ethernet frames of IPv4 and IPv6 TCP/UDP/ICMP, options, an 802.1Q tag,
# MPLS, IPv4 fragments, VXLAN, DNS responses and TLS ClientHellos with SNI (no QinQ: pmacctd 1.7.7
# drops those frames). Totals: the IP bytes and packets (the outer IP packet for MPLS and VXLAN).
make_sflow_traffic() { python3 - "$1" "$2" <<'PY'
import json, random, struct, sys
out, totals = sys.argv[1], sys.argv[2]
rnd = random.Random(20261205)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip4(a): return bytes(int(x) for x in a.split("."))
def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed
def l4(proto, src, dst, sp, dp, payload, flags=0x18):
    if proto == 6:
        h = struct.pack("!HHIIBBHHH", sp, dp, rnd.getrandbits(32), rnd.getrandbits(32), 0x50, flags, 65535, 0, 0); ck = 16
    else:
        h = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0); ck = 6
    seg = h + payload
    if len(src) == 4: pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    else: pseudo = src + dst + struct.pack("!IxxxB", len(seg), proto)
    c = csum(pseudo + seg) or 0xffff
    return seg[:ck] + struct.pack("!H", c) + seg[ck + 2:]
def icmp(typ, payload, src=None, dst=None):
    m = struct.pack("!BBHHH", typ, 0, 0, rnd.getrandbits(16), 1) + payload
    pseudo = b"" if src is None else src + dst + struct.pack("!IxxxB", len(m), 58)
    c = csum(pseudo + m)
    return m[:2] + struct.pack("!H", c) + m[4:]
ident = 0
def ipv4(src, dst, proto, body, tos=0, frag=0x4000, options=b"", ident_=None):
    global ident
    ident = (ident + 1) & 0xffff
    hl = 20 + len(options)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, tos, hl + len(body), ident if ident_ is None else ident_, frag, 64, proto, 0, src, dst) + options
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + body
def ipv6(src, dst, nh, body, tc=0):
    return struct.pack("!IHBB", 0x60000000 | (tc << 20), len(body), nh, 64) + src + dst + body
def eth(etype, body, vlans=(), mpls=()):
    f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
    for v in vlans: f += struct.pack("!HH", 0x8100, v)
    if mpls:
        f += struct.pack("!H", 0x8847)
        for i, lab in enumerate(mpls):
            f += struct.pack("!I", (lab << 12) | (1 << 8 if i == len(mpls) - 1 else 0) | 64)
        return f + body
    return f + struct.pack("!H", etype) + body
def dns_response(name):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    return struct.pack("!HHHHHH", rnd.getrandbits(16), 0x8180, 1, 1, 0, 0) + q + b"\xc0\x0c" + struct.pack("!HHIH4s", 1, 1, 300, 4, bytes([192, 0, 2, rnd.randrange(1, 250)]))
def client_hello(sni):
    name = sni.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = struct.pack("!H", 0x0303) + bytes(rnd.getrandbits(8) for _ in range(32)) + b"\0" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00" + struct.pack("!H", len(ext_sni)) + ext_sni
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs

frames = []  # (time, frame bytes, ip length)
t = 1760000000.0
def add(frame, iplen):
    global t
    t += rnd.uniform(0.005, 0.05)
    frames.append((t, frame, iplen))
def pay(n): return bytes(rnd.getrandbits(8) for _ in range(n))
# Plain IPv4 TCP and UDP flows.
for i in range(12):
    src, dst = ip4("10.1.%d.%d" % (rnd.randrange(1, 5), rnd.randrange(1, 250))), ip4("198.51.100.%d" % rnd.randrange(1, 250))
    proto = 6 if i % 3 else 17
    sp, dp = rnd.randrange(1024, 65000), rnd.choice([80, 123, 443, 8080])
    for k in range(rnd.randrange(1, 6)):
        p = ipv4(src, dst, proto, l4(proto, src, dst, sp, dp, pay(rnd.randrange(0, 900))), tos=rnd.choice([0, 0x10, 0xb8]))
        add(eth(0x0800, p), len(p))
# ICMP echo v4.
for k in range(3):
    s, d = ip4("10.2.0.1"), ip4("203.0.113.9")
    p = ipv4(s, d, 1, icmp(8, pay(56)))
    add(eth(0x0800, p), len(p))
# IPv4 with options (IHL 6, a router alert).
s, d = ip4("10.3.0.1"), ip4("198.51.100.77")
p = ipv4(s, d, 17, l4(17, s, d, 5000, 6000, pay(40)), options=b"\x94\x04\x00\x00")
add(eth(0x0800, p), len(p))
# IPv6 TCP, UDP, ICMPv6 echo, UDP behind a hop-by-hop header.
s6, d6 = ip6("2001:db8:1::10"), ip6("2001:db8:2::20")
for k in range(4):
    p = ipv6(s6, d6, 6, l4(6, s6, d6, 40000 + k, 443, pay(rnd.randrange(0, 700))), tc=0x20)
    add(eth(0x86dd, p), len(p))
p = ipv6(s6, d6, 17, l4(17, s6, d6, 5353, 5353, pay(100)))
add(eth(0x86dd, p), len(p))
p = ipv6(s6, d6, 58, icmp(128, pay(32), s6, d6))
add(eth(0x86dd, p), len(p))
p = ipv6(s6, d6, 0, bytes([17, 0, 5, 2, 0, 0, 1, 0]) + l4(17, s6, d6, 7000, 7001, pay(64)))
add(eth(0x86dd, p), len(p))
# 802.1Q-tagged IPv4 TCP.
for k in range(3):
    s, d = ip4("10.4.0.%d" % (k + 1)), ip4("198.51.100.200")
    p = ipv4(s, d, 6, l4(6, s, d, 33000 + k, 22, pay(120)))
    add(eth(0x0800, p, vlans=(42,)), len(p))
# MPLS: one and two labels over IPv4 UDP.
for labels in ((1000,), (2000, 3000)):
    s, d = ip4("10.5.0.1"), ip4("198.51.100.5")
    p = ipv4(s, d, 17, l4(17, s, d, 4000, 4001, pay(200)))
    add(eth(0, p, mpls=labels), len(p))
# IPv4 fragments of one UDP datagram: the first holds the ports, the second does not.
s, d = ip4("10.6.0.1"), ip4("198.51.100.6")
udp = l4(17, s, d, 9000, 9001, pay(1400))
p1 = ipv4(s, d, 17, udp[:1200], frag=0x2000, ident_=0x4242)
p2 = ipv4(s, d, 17, udp[1200:], frag=1200 // 8, ident_=0x4242)
add(eth(0x0800, p1), len(p1)); add(eth(0x0800, p2), len(p2))
# VXLAN: inner Ethernet + IPv4 TCP inside outer IPv4 UDP 4789.
s, d = ip4("10.7.0.1"), ip4("10.7.0.2")
is_, id_ = ip4("172.16.0.1"), ip4("172.16.0.2")
inner = eth(0x0800, ipv4(is_, id_, 6, l4(6, is_, id_, 45000, 80, pay(100))))
p = ipv4(s, d, 17, l4(17, s, d, 51000, 4789, struct.pack("!II", 0x08000000, 5001 << 8) + inner))
add(eth(0x0800, p), len(p))
# DNS responses and TLS ClientHellos with SNI.
for name in ("example.com", "www.example.org", "api.test.example.net"):
    s, d = ip4("192.0.2.53"), ip4("10.8.0.%d" % rnd.randrange(1, 250))
    p = ipv4(s, d, 17, l4(17, s, d, 53, rnd.randrange(1024, 65000), dns_response(name)))
    add(eth(0x0800, p), len(p))
for sni in ("example.com", "shop.example.org"):
    s, d = ip4("10.9.0.%d" % rnd.randrange(1, 250)), ip4("198.51.100.44")
    p = ipv4(s, d, 6, l4(6, s, d, rnd.randrange(1024, 65000), 443, client_hello(sni)))
    add(eth(0x0800, p), len(p))
s6c = ip6("2001:db8:9::5")
p = ipv6(s6c, d6, 6, l4(6, s6c, d6, 50123, 443, client_hello("v6.example.com")))
add(eth(0x86dd, p), len(p))
recs = []
for t_, f, _ in frames:
    sec = int(t_); usec = int(round((t_ - sec) * 1e6))
    if usec == 1000000: sec, usec = sec + 1, 0
    recs.append(struct.pack("<IIII", sec, usec, len(f), len(f)) + f)
with open(out, "wb") as fh:
    fh.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + b"".join(recs))
with open(totals, "w") as fh:
    json.dump({"octets": sum(x[2] for x in frames), "packets": len(frames)}, fh)
    fh.write("\n")
PY
}

# Runs "$@" while dumpcap records udp dst PORT on lo (tcpdump may be missing where tshark is not).
record_dumpcap() { # OUT PORT command...
  local out=$1 port=$2; shift 2
  dumpcap -q -P -i lo -f "udp dst port $port" -w "$ROOT/$out" 2>/dev/null & local pid=$!
  PIDS+=($pid)
  sleep 2; "$@" >>"$TMP/exporters.log" 2>&1 || echo "warning: $1 exited with $?" >&2
  sleep 2; kill -INT $pid; wait $pid || true
}

# tshark's sFlow decode, one object per sample: the sample's own sflow fields (prefix kept) and,
# from the sampled header's dissection, the fields the flow key needs, as lists in header order
# (VXLAN's inner frame follows the outer one). PDML, not JSON: tshark puts what it dissects from a
# header's payload (VXLAN, DNS, TLS) at the packet's top level, and only PDML keeps each field's
# byte position, which says which sample it came from.
sflow_jsonl() { # PCAP PORT
  tshark -r "$1" -d "udp.port==$2,sflow" -d "udp.port==4789,vxlan" -T pdml 2>/dev/null | python3 -c '
import json, sys, xml.etree.ElementTree as ET
HEADER = {"eth.src", "eth.dst", "vlan.id", "mpls.label", "ip.src", "ip.dst", "ip.len", "ip.proto", "ip.dsfield",
          "ip.frag_offset", "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.nxt", "ipv6.tclass", "tcp.srcport",
          "tcp.dstport", "tcp.flags", "udp.srcport", "udp.dstport", "icmp.type", "icmp.code", "icmpv6.type",
          "icmpv6.code", "vxlan.vni", "dns.qry.name", "tls.handshake.extensions_server_name"}
SAMPLES = ("Flow sample", "Counters sample", "Expanded flow sample", "Expanded counters sample")
for pkt in ET.parse(sys.stdin).getroot().iter("packet"):
    frame = int(pkt.find("proto[@name=\"frame\"]/field[@name=\"frame.number\"]").get("show"))
    sf = pkt.find("proto[@name=\"sflow\"]")
    head = {f.get("name"): f.get("show") for f in sf.findall("field") if f.get("name") in ("sflow_245.agent", "sflow_245.sub_agent_id")}
    fields = [f for f in pkt.iter("field") if f.get("name") in HEADER]
    for s in sf.findall("field"):
        kind = (s.get("show") or "").split(",")[0]
        if kind not in SAMPLES:
            continue
        lo, hi = int(s.get("pos")), int(s.get("pos")) + int(s.get("size"))
        out = {"_frame": frame, "_sample": kind, **head}
        for f in s.iter("field"):
            n = f.get("name")
            if n.startswith("sflow") and n != "sflow_245.header":  # the header bytes are in the capture
                out[n] = f.get("show")
        for f in fields:
            if lo <= int(f.get("pos")) < hi:
                out.setdefault(f.get("name"), []).append(f.get("show"))
        print(json.dumps(out))
'
}

sflow() {
  S=test/fixtures/sflow
  mkdir -p $S
  make_sflow_traffic $S/traffic.pcap $S/traffic.totals.json
  local rate port=39300
  for rate in 1 10; do
    port=$((port + 1))
    cat > $TMP/pmacctd.conf <<CONF
daemonize: false
pcap_savefile: $ROOT/$S/traffic.pcap
plugins: sfprobe
sfprobe_receiver: 127.0.0.1:$port
sfprobe_agentip: 192.0.2.100
sampling_rate: $rate
CONF
    record_dumpcap $S/pmacct-rate$rate.pcap $port pmacctd -f $TMP/pmacctd.conf
  done
  sflow_jsonl_all
}

sflow_jsonl_all() {
  for f in test/fixtures/sflow/pmacct-*.pcap; do
    local p; p=$(tshark -r "$f" -T fields -e udp.dstport 2>/dev/null | head -1)
    sflow_jsonl "$f" "$p" > "${f%.pcap}.tshark.jsonl"
  done
}

case $WHAT in
  formats) formats ;;
  exporters) exporters ;;
  jsonl) jsonl ;;
  sflow) sflow ;;
  sflow-jsonl) sflow_jsonl_all ;;
  all) formats; exporters; sflow ;;
esac
