// Built-in name tables for filter values. Compiled in rather than read from /etc/protocols or
// /etc/services: the appliance must parse the same filter the same way on every board.

/** IANA Assigned Internet Protocol Numbers (RFC 5237 registry): the ones seen in flow data. */
export const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["hopopt", 0],
  ["icmp", 1],
  ["igmp", 2],
  ["ipip", 4],
  ["ipencap", 4],
  ["tcp", 6],
  ["egp", 8],
  ["udp", 17],
  ["ipv6", 41],
  ["rsvp", 46],
  ["gre", 47],
  ["esp", 50],
  ["ah", 51],
  ["ipv6-icmp", 58], // first: the IANA keyword, the name reports print (as sql/protocols.sql)
  ["icmp6", 58],
  ["icmpv6", 58],
  ["eigrp", 88],
  ["ospf", 89],
  ["pim", 103],
  ["vrrp", 112],
  ["l2tp", 115],
  ["isis", 124],
  ["sctp", 132],
  ["udplite", 136],
]);

/** Protocol number to its first name above, for people reading reports: 6 -> "tcp". */
export const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([...PROTOCOLS].reverse().map(([name, n]) => [n, name]));

/** "6 (tcp)" for a known protocol number, the number alone otherwise. */
export function protocolLabel(proto: string | number): string {
  const name = PROTOCOL_NAMES.get(Number(proto));
  return name === undefined ? String(proto) : `${proto} (${name})`;
}

/** Common services (IANA Service Name and Transport Protocol Port Number registry). */
export const PORTS: ReadonlyMap<string, number> = new Map([
  ["ftp-data", 20],
  ["ftp", 21],
  ["ssh", 22],
  ["telnet", 23],
  ["smtp", 25],
  ["tacacs", 49],
  ["dns", 53],
  ["domain", 53],
  ["bootps", 67],
  ["bootpc", 68],
  ["tftp", 69],
  ["http", 80],
  ["kerberos", 88],
  ["pop3", 110],
  ["ntp", 123],
  ["netbios-ns", 137],
  ["netbios-ssn", 139],
  ["imap", 143],
  ["snmp", 161],
  ["snmptrap", 162],
  ["bgp", 179],
  ["ldap", 389],
  ["https", 443],
  ["smb", 445],
  ["microsoft-ds", 445],
  ["smtps", 465],
  ["isakmp", 500],
  ["syslog", 514],
  ["submission", 587],
  ["ldaps", 636],
  ["ldp", 646],
  ["rsync", 873],
  ["domain-s", 853],
  ["imaps", 993],
  ["pop3s", 995],
  ["openvpn", 1194],
  ["mssql", 1433],
  ["l2tp", 1701],
  ["pptp", 1723],
  ["radius", 1812],
  ["radius-acct", 1813],
  ["mqtt", 1883],
  ["nfs", 2049],
  ["netflow", 2055],
  ["mysql", 3306],
  ["rdp", 3389],
  ["ipfix", 4739],
  ["ipsec-nat-t", 4500],
  ["sip", 5060],
  ["sips", 5061],
  ["xmpp", 5222],
  ["postgresql", 5432],
  ["postgres", 5432],
  ["amqp", 5672],
  ["vnc", 5900],
  ["sflow", 6343],
  ["redis", 6379],
  ["irc", 6667],
  ["http-alt", 8080],
  ["prometheus", 9090],
  ["kafka", 9092],
  ["elasticsearch", 9200],
  ["memcached", 11211],
  ["mongodb", 27017],
]);

/**
 * TCP control bits as carried in IPFIX tcpControlBits (RFC 7125 section 3: the 16 bits of the
 * header's offset/flags word, flags in the low bits; NetFlow v5/v9 carry the low 8).
 */
export const TCP_FLAGS: ReadonlyMap<string, number> = new Map([
  ["fin", 0x001],
  ["syn", 0x002],
  ["rst", 0x004],
  ["psh", 0x008],
  ["ack", 0x010],
  ["urg", 0x020],
  ["ece", 0x040],
  ["cwr", 0x080],
  ["ns", 0x100],
]);
