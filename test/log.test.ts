import { describe, expect, test } from "bun:test";
import { createLogger } from "../src/log.ts";

describe("logger", () => {
  test("journald: priority prefixes, no timestamp, one line per event", () => {
    const lines: string[] = [];
    const log = createLogger({ journal: true, write: (l) => lines.push(l), level: "info" });
    log.debug("hidden");
    log.info("listening on 0.0.0.0:2055");
    log.warn("two\nlines");
    log.error("boom");
    expect(lines).toEqual(["<6>listening on 0.0.0.0:2055", "<4>two lines", "<3>boom"]);
  });

  test("repeats of one key are rate-limited and the suppressed count is reported later", () => {
    const lines: string[] = [];
    let t = 0;
    const log = createLogger({ journal: true, write: (l) => lines.push(l), burst: 2, intervalMs: 1000, now: () => t });
    for (let i = 0; i < 5; i++) log.warn(`bad datagram ${i}`, "bad");
    t = 1500;
    log.warn("bad datagram 5", "bad");
    expect(lines).toEqual(["<4>bad datagram 0", "<4>bad datagram 1", "<4>bad datagram 5 (3 similar messages suppressed)"]);
  });

  test("plain output without a TTY carries an ISO timestamp and no colour", () => {
    const lines: string[] = [];
    const log = createLogger({ journal: false, isTTY: false, write: (l) => lines.push(l), now: () => 0 });
    log.info("hello");
    expect(lines).toEqual(["1970-01-01T00:00:00.000Z info hello"]);
  });
});
