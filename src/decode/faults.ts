// Decode fault counters. Every kind is always present so /metrics can export a stable set.

export interface Faults {
  truncatedHeader: number; // datagram shorter than its version's header
  unknownVersion: number; // not NetFlow 5, 9, IPFIX 10 or sFlow 5
  badMessageLength: number; // IPFIX header length beyond the datagram or under 16
  countMismatch: number; // v5 header count disagrees with the records present
  badSetLength: number; // set length < 4 or beyond the message: the rest of the message is skipped
  reservedSetId: number; // set id 2..255 in v9, 4..255 in IPFIX
  badTemplateId: number; // template id < 256 (other than an IPFIX withdraw-all)
  templateTooLong: number; // template record runs past its set
  badFieldCount: number; // zero (v9) or impossible field count
  badScopeCount: number; // options template scope count 0 or above the field count
  zeroSizeRecord: number; // template whose records would hold no bytes
  truncatedRecord: number; // a variable-length field runs past its set
  unknownTemplate: number; // data set with no template, not held
  heldExpired: number; // held data whose template did not arrive in time
  heldEvicted: number; // held data pushed out by newer held data (per exporter or in total)
  templateEvicted: number; // templates pushed out by the per-exporter or total bound
  optionsEvicted: number; // sampler rates or domain options state pushed out (or refused) by their bounds
  // sFlow v5 (src/decode/sflow/): every length and count is checked against what remains.
  sflowBadAddress: number; // agent or next-hop address type neither IPv4 (1) nor IPv6 (2)
  sflowSampleCount: number; // num_samples disagrees with the samples present: the rest is skipped
  sflowBadSampleLength: number; // sample length beyond the datagram: the rest of the datagram is skipped
  sflowRecordCount: number; // a sample's record count disagrees with the records present
  sflowBadRecordLength: number; // record length beyond its sample: the rest of the sample is skipped
  sflowShortRecord: number; // sample or record shorter than its format's fixed fields, or a list in it runs past its end
  sflowUnknownSample: number; // sample format or enterprise we do not decode, skipped
  sflowUnknownRecord: number; // flow or counter record format or enterprise we do not decode, skipped
  sflowStateEvicted: number; // agents or data sources pushed out of the sequence tracking by its bounds
}

export function createFaults(): Faults {
  return {
    truncatedHeader: 0,
    unknownVersion: 0,
    badMessageLength: 0,
    countMismatch: 0,
    badSetLength: 0,
    reservedSetId: 0,
    badTemplateId: 0,
    templateTooLong: 0,
    badFieldCount: 0,
    badScopeCount: 0,
    zeroSizeRecord: 0,
    truncatedRecord: 0,
    unknownTemplate: 0,
    heldExpired: 0,
    heldEvicted: 0,
    templateEvicted: 0,
    optionsEvicted: 0,
    sflowBadAddress: 0,
    sflowSampleCount: 0,
    sflowBadSampleLength: 0,
    sflowRecordCount: 0,
    sflowBadRecordLength: 0,
    sflowShortRecord: 0,
    sflowUnknownSample: 0,
    sflowUnknownRecord: 0,
    sflowStateEvicted: 0,
  };
}
