// Flow start/end times as absolute epoch milliseconds, from whichever time elements a template
// carries. The same plan serves the batch decoder (generated code calls timeValue) and the record
// printer, so both always agree.
import type { Ctx } from "./context.ts";
import type { Template } from "./template.ts";

/** RFC 7011 section 6.1.9 (after RFC 5905): seconds from the NTP epoch 1900 to the Unix epoch 1970. */
export const NTP_UNIX_OFFSET_S = 2208988800;

export enum TimeKind {
  none = 0,
  epochMs, // IE 152/153 dateTimeMilliseconds; IE 21/22 sent with 8 bytes (absolute ms)
  epochSeconds, // IE 150/151
  ntpMicro, // IE 154/155: NTP format, the low 11 fraction bits are not significant (RFC 7011 6.1.9)
  ntpNano, // IE 156/157
  uptime, // IE 21/22 (v5/v9: header sysUptime arithmetic; IPFIX: systemInitTimeMilliseconds + value)
  deltaMicro, // IE 158/159: microseconds before the export time
}

export interface TimePlan {
  startKind: TimeKind;
  start: number; // field index, -1 = none
  endKind: TimeKind;
  end: number;
  init: number; // field index of IE 160 systemInitTimeMilliseconds in the record, -1 = none
  /** Field index of IE 161 flowDurationMilliseconds / 162 flowDurationMicroseconds, -1 = none. */
  duration: number;
  /** Milliseconds per unit of the duration field. */
  durationMs: number;
}

// Preference when a template carries several: absolute first, then the relative forms.
const START: readonly (readonly [number, TimeKind])[] = [
  [152, TimeKind.epochMs], [150, TimeKind.epochSeconds], [154, TimeKind.ntpMicro], [156, TimeKind.ntpNano],
  [22, TimeKind.uptime], [158, TimeKind.deltaMicro],
];
const END: readonly (readonly [number, TimeKind])[] = [
  [153, TimeKind.epochMs], [151, TimeKind.epochSeconds], [155, TimeKind.ntpMicro], [157, TimeKind.ntpNano],
  [21, TimeKind.uptime], [159, TimeKind.deltaMicro],
];

function pick(t: Template, table: typeof START): [TimeKind, number] {
  for (const [id, kind] of table) {
    const k = t.fields.findIndex((f) => f.pen === 0 && f.id === id && f.len > 0 && f.len <= 8);
    if (k < 0) continue;
    const ntp = kind === TimeKind.ntpMicro || kind === TimeKind.ntpNano;
    if (ntp && t.fields[k]!.len !== 8) continue;
    return [kind === TimeKind.uptime && t.fields[k]!.len === 8 ? TimeKind.epochMs : kind, k];
  }
  return [TimeKind.none, -1];
}

export function timePlan(t: Template): TimePlan {
  const [startKind, start] = pick(t, START);
  const [endKind, end] = pick(t, END);
  const init = t.fields.findIndex((f) => f.pen === 0 && f.id === 160 && f.len > 0 && f.len <= 8);
  // A duration supplies the missing end of a flow that has only one (RFC 7012: IE 161, 162).
  const ms = t.fields.findIndex((f) => f.pen === 0 && f.id === 161 && f.len > 0 && f.len <= 8);
  const us = t.fields.findIndex((f) => f.pen === 0 && f.id === 162 && f.len > 0 && f.len <= 8);
  const duration = ms >= 0 ? ms : us;
  return { startKind, start, endKind, end, init, duration, durationMs: ms >= 0 ? 1 : 0.001 };
}

/**
 * One time value in epoch ms. `v` is the field as an unsigned number (for NTP kinds: the seconds
 * word) and `v2` the NTP fraction word; `init` the record's own IE 160 value or NaN.
 */
export function timeValue(kind: TimeKind, v: number, v2: number, x: Ctx, init: number): number {
  switch (kind) {
    case TimeKind.epochMs:
      return v;
    case TimeKind.epochSeconds:
      return v * 1000;
    case TimeKind.ntpMicro:
      return (v - NTP_UNIX_OFFSET_S) * 1000 + (v2 - (v2 % 2048)) / 4294967.296;
    case TimeKind.ntpNano:
      return (v - NTP_UNIX_OFFSET_S) * 1000 + v2 / 4294967.296;
    case TimeKind.uptime:
      if (x.version === 10) return (init === init ? init : x.dom.sysInitMs) + v;
      // The signed 32-bit difference survives an uptime wrap between first switched and export.
      return x.exportMs - ((x.uptime - v) | 0);
    case TimeKind.deltaMicro:
      return x.exportMs - v / 1000;
    default:
      return NaN;
  }
}
