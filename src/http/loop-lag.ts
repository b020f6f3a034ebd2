// Event-loop lag from timer drift: a timer asks to run every `everyMs`; how late it actually runs
// is the time a ready callback (a datagram, a scrape) would have waited. The worst lag since the
// previous read is reported, so a short stall between two scrapes is not averaged away.

export interface LoopLag {
  /** Worst lag in seconds since the previous call (the latest lag when none was worse). */
  takeMaxSeconds(): number;
  readonly lastSeconds: number;
  stop(): void;
}

export function startLoopLag(everyMs = 500, now: () => number = () => performance.now()): LoopLag {
  let expected = now() + everyMs;
  let last = 0;
  let max = 0;
  const timer = setInterval(() => {
    const t = now();
    last = Math.max(0, t - expected) / 1000;
    if (last > max) max = last;
    expected = t + everyMs;
  }, everyMs);
  timer.unref?.();
  return {
    takeMaxSeconds() {
      const m = Math.max(max, last);
      max = 0;
      return m;
    },
    get lastSeconds() {
      return last;
    },
    stop: () => clearInterval(timer),
  };
}
