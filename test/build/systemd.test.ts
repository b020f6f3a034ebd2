// The unit's sandbox, scored by systemd itself, and the settings a Bun process depends on.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run, which } from "./helpers.ts";

const UNIT = join(ROOT, "systemd/xenoflow.service");
const text = readFileSync(UNIT, "utf8");

/** Directives of one section as "Key=value" lines, comments dropped. */
function section(name: string): string[] {
  const lines = text.split("\n").map((l) => l.trim());
  const start = lines.indexOf(`[${name}]`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("["));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "" && !l.startsWith("#"));
}

describe("systemd/xenoflow.service", () => {
  test("runs the installed binary and config as the xenoflow user, with no capability", () => {
    const service = section("Service");
    expect(service).toEqual(
      expect.arrayContaining([
        "Type=simple",
        "ExecStart=/usr/local/bin/xenoflow run -c /etc/xenoflow/xenoflow.toml",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "User=xenoflow",
        "StateDirectory=xenoflow",
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
      ]),
    );
    // JavaScriptCore's JIT writes code into executable pages: with this set Bun dies at start.
    expect(service.filter((l) => l.startsWith("MemoryDenyWriteExecute"))).toEqual([]);
  });

  const ANALYZE = which("systemd-analyze");
  test.skipIf(!ANALYZE)("systemd-analyze security rates its exposure at most 2.0 (OK)", () => {
    const r = run([ANALYZE ?? "", "security", "--offline=true", "--threshold=20", "--no-pager", UNIT]);
    const overall = /Overall exposure level for xenoflow\.service: (\d+\.\d)/.exec(r.stdout);
    expect({ code: r.code, score: Number(overall?.[1] ?? "NaN") <= 2.0 }).toEqual({ code: 0, score: true });
  });

  test.skipIf(!ANALYZE)("systemd-analyze security fails a threshold below its score", () => {
    // The check above can fail: one point below the score must be refused.
    const r = run([ANALYZE ?? "", "security", "--offline=true", "--threshold=10", "--no-pager", UNIT]);
    expect(r.code).not.toBe(0);
  });
});
