// Wire constants of sFlow Version 5 (sflow.org "sFlow Version 5", July 2004; cited as "sFlow v5"
// with the section of its XDR text) and of the drops extension (sflow.org "sFlow Dropped Packet
// Notification Structures", 2020). All fields are XDR: big-endian 32-bit words, opaque data padded
// to a multiple of 4 bytes.

/** sFlow v5 "sFlow Datagram": the first word of every datagram. */
export const SFLOW_VERSION = 5;
/** The batch's `version` column for sFlow v5 records: the high bit keeps it apart from NetFlow's 5. */
export const BATCH_VERSION_SFLOW = 0x80 | SFLOW_VERSION;

/** sFlow v5 "Address Types": address_type of the agent address and of next hops. */
export const ADDRESS_IPV4 = 1;
export const ADDRESS_IPV6 = 2;

/** sFlow v5 "Data Format": enterprise in the top 20 bits, format in the low 12. */
export const FORMAT_BITS = 12;
export const FORMAT_MASK = 0xfff;

/** sFlow v5 "sample_data" formats (enterprise 0); 5 from the drops extension. */
export const SAMPLE_FLOW = 1;
export const SAMPLE_COUNTERS = 2;
export const SAMPLE_FLOW_EXPANDED = 3;
export const SAMPLE_COUNTERS_EXPANDED = 4;
export const SAMPLE_DISCARDED = 5;

/** sFlow v5 "flow_data" formats (enterprise 0). */
export const FLOW_SAMPLED_HEADER = 1;
export const FLOW_SAMPLED_ETHERNET = 2;
export const FLOW_SAMPLED_IPV4 = 3;
export const FLOW_SAMPLED_IPV6 = 4;
export const FLOW_EXTENDED_SWITCH = 1001;
export const FLOW_EXTENDED_ROUTER = 1002;
export const FLOW_EXTENDED_GATEWAY = 1003;

/** sFlow v5 "counter_data" formats (enterprise 0). */
export const COUNTERS_GENERIC_INTERFACE = 1;
export const COUNTERS_ETHERNET = 2;

/** sFlow v5 "sampled_header": header_protocol values we parse. */
export const HEADER_ETHERNET = 1; // ETHERNET-ISO88023
export const HEADER_IPV4 = 11;
export const HEADER_IPV6 = 12;

/** sFlow v5 "interface" (compact form): the top 2 bits say what the low 30 hold. */
export const INTERFACE_FORMAT_SHIFT = 30;
export const INTERFACE_VALUE_MASK = 0x3fffffff;
export const INTERFACE_IFINDEX = 0; // format 0: an ifIndex (0x3FFFFFFF = unknown)
export const INTERFACE_UNKNOWN = 0x3fffffff;
/** sFlow v5 "sflow_data_source" (compact form): type in the top 8 bits, index in the low 24. */
export const SOURCE_TYPE_SHIFT = 24;
export const SOURCE_INDEX_MASK = 0xffffff;

/** Fixed sizes of the structures, in bytes (every word 4). */
export const DATAGRAM_HEADER_FIXED = 4 + 4; // version, agent address type (the address follows)
export const DATAGRAM_HEADER_REST = 4 * 4; // sub_agent_id, sequence_number, uptime, num samples
export const SAMPLE_HEADER = 8; // data_format, length
export const RECORD_HEADER = 8; // data_format, length
export const FLOW_SAMPLE_FIXED = 8 * 4; // seq, source_id, rate, pool, drops, input, output, count
export const FLOW_EXPANDED_FIXED = 11 * 4; // seq, type, index, rate, pool, drops, in fmt, in, out fmt, out, count
export const COUNTER_SAMPLE_FIXED = 3 * 4; // seq, source_id, count
export const COUNTER_EXPANDED_FIXED = 4 * 4; // seq, type, index, count
export const DISCARDED_FIXED = 8 * 4; // seq, type, index, drops, input, output, reason, count
export const SAMPLED_HEADER_FIXED = 4 * 4; // protocol, frame_length, stripped, header length
export const SAMPLED_ETHERNET_LEN = 6 * 4; // length, src_mac<8>, dst_mac<8>, type
export const SAMPLED_IPV4_LEN = 8 * 4; // length, protocol, src, dst, src_port, dst_port, tcp_flags, tos
export const SAMPLED_IPV6_LEN = 14 * 4; // length, protocol, src<16>, dst<16>, ports, tcp_flags, priority
export const EXTENDED_SWITCH_LEN = 4 * 4; // src_vlan, src_priority, dst_vlan, dst_priority
export const GENERIC_INTERFACE_LEN = 88; // sFlow v5 "if_counters"
export const ETHERNET_COUNTERS_LEN = 13 * 4; // sFlow v5 "ethernet_counters"

/** sFlow v5 "as_path_type". */
export const AS_SET = 1;
export const AS_SEQUENCE = 2;
