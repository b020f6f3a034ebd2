import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { readTarGz, tarGz } from "../../scripts/tar.ts";
import { run } from "./helpers.ts";

const enc = new TextEncoder();
const entries = [
  { name: "pkg/z.txt", mode: 0o644, data: enc.encode("last\n") },
  { name: "pkg/", mode: 0o755 },
  { name: "pkg/bin", mode: 0o755, data: new Uint8Array(1000).fill(7) }, // spans two blocks
  { name: "pkg/empty", mode: 0o600, data: new Uint8Array(0) },
];
const MTIME = 1_700_000_000;

describe("tarGz", () => {
  test("round-trips regular files and skips directories", () => {
    const files = readTarGz(tarGz(entries, MTIME));
    expect([...files.keys()]).toEqual(["pkg/bin", "pkg/empty", "pkg/z.txt"]);
    expect(new TextDecoder().decode(files.get("pkg/z.txt"))).toBe("last\n");
    expect(files.get("pkg/bin")).toEqual(new Uint8Array(1000).fill(7));
    expect(files.get("pkg/empty")?.length).toBe(0);
  });

  test("is byte-for-byte the same for the same entries in any order", () => {
    const a = tarGz(entries, MTIME);
    const b = tarGz([...entries].reverse(), MTIME);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(tarGz(entries, MTIME + 1)).equals(Buffer.from(a))).toBe(false);
  });

  test("GNU tar reads it with sorted names, root owner, modes and the fixed mtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xf-tar-"));
    try {
      const file = join(dir, "t.tar.gz");
      await Bun.write(file, tarGz(entries, MTIME));
      const r = run(["tar", "--numeric-owner", "--full-time", "-tvzf", file], { env: { TZ: "UTC" } });
      expect(r.code).toBe(0);
      const rows = r.stdout.trim().split("\n").map((l) => l.split(/\s+/));
      expect(rows.map(([mode, owner, size, date, time, name]) => [mode, owner, size, `${date} ${time}`, name])).toEqual([
        ["drwxr-xr-x", "0/0", "0", "2023-11-14 22:13:20", "pkg/"],
        ["-rwxr-xr-x", "0/0", "1000", "2023-11-14 22:13:20", "pkg/bin"],
        ["-rw-------", "0/0", "0", "2023-11-14 22:13:20", "pkg/empty"],
        ["-rw-r--r--", "0/0", "5", "2023-11-14 22:13:20", "pkg/z.txt"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("refuses a name that does not fit the ustar name field", () => {
    expect(() => tarGz([{ name: `${"d/".repeat(50)}file`, mode: 0o644 }], 0)).toThrow("longer than 100 bytes");
  });
});

describe("readTarGz", () => {
  test("reports a member cut short", () => {
    const whole = gunzipSync(tarGz([{ name: "a", mode: 0o644, data: new Uint8Array(600) }], 0));
    expect(() => readTarGz(gzipSync(whole.subarray(0, 900)))).toThrow("a is truncated");
  });
});
