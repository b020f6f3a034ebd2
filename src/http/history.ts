// Flows/s and bits/s per monitoring object over the last 15 minutes, for the dashboard chart:
// a ring of samples in fixed-size typed arrays, fed every few seconds from the monitor's
// cumulative counters (matched records, sampled octets). A rate is the difference between two
// samples over their time apart, so a late sample does not distort it.

export interface HistoryCounters {
  readonly names: readonly string[];
  readonly matched: Float64Array;
  readonly octets: Float64Array;
}

export interface Series {
  stepMs: number;
  /** Sample times, epoch ms, oldest first. */
  t: number[];
  mos: { name: string; flows: number[]; bits: number[] }[];
}

export interface History {
  /** Records one sample from the counters at `nowMs`; the first sample only sets the baseline. */
  sample(counters: HistoryCounters, nowMs: number): void;
  series(): Series;
  /** The latest rates per MO, or null before two samples. */
  latest(): { flows: number; bits: number }[] | null;
  readonly length: number;
}

export function createHistory(capacity = 180, stepMs = 5000): History {
  let names: readonly string[] = [];
  let source: HistoryCounters | null = null;
  let n = 0;
  const t = new Float64Array(capacity);
  let flows = new Float64Array(0);
  let bits = new Float64Array(0);
  let prevMatched = new Float64Array(0);
  let prevOctets = new Float64Array(0);
  let prevMs = Number.NaN;
  let head = 0; // next slot to write
  let length = 0;

  // A new MO list (a reload) starts the history over: old columns would be mislabelled.
  const reset = (c: HistoryCounters) => {
    source = c;
    names = [...c.names];
    n = names.length;
    flows = new Float64Array(capacity * n);
    bits = new Float64Array(capacity * n);
    prevMatched = Float64Array.from(c.matched);
    prevOctets = Float64Array.from(c.octets);
    head = 0;
    length = 0;
  };

  const at = (i: number) => (head - length + i + capacity) % capacity;

  return {
    sample(c, nowMs) {
      if (c !== source) {
        reset(c);
        prevMs = nowMs;
        return;
      }
      const secs = (nowMs - prevMs) / 1000;
      if (!(secs > 0)) return;
      t[head] = nowMs;
      const row = head * n;
      for (let m = 0; m < n; m++) {
        const matched = c.matched[m] ?? 0;
        const octets = c.octets[m] ?? 0;
        // Counters only grow; a drop means they were replaced, so count nothing for this step.
        flows[row + m] = Math.max(0, matched - (prevMatched[m] ?? 0)) / secs;
        bits[row + m] = (Math.max(0, octets - (prevOctets[m] ?? 0)) * 8) / secs;
        prevMatched[m] = matched;
        prevOctets[m] = octets;
      }
      prevMs = nowMs;
      head = (head + 1) % capacity;
      if (length < capacity) length++;
    },
    series() {
      const times: number[] = [];
      for (let i = 0; i < length; i++) times.push(t[at(i)] ?? 0);
      return {
        stepMs,
        t: times,
        mos: names.map((name, m) => {
          const f: number[] = [];
          const b: number[] = [];
          for (let i = 0; i < length; i++) {
            f.push(flows[at(i) * n + m] ?? 0);
            b.push(bits[at(i) * n + m] ?? 0);
          }
          return { name, flows: f, bits: b };
        }),
      };
    },
    latest() {
      if (length === 0) return null;
      const row = at(length - 1) * n;
      return names.map((_, m) => ({ flows: flows[row + m] ?? 0, bits: bits[row + m] ?? 0 }));
    },
    get length() {
      return length;
    },
  };
}
