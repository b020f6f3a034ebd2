// The compiled binary, as `make build` and `make release` produce it, runs and knows what it is.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildInfo } from "../../scripts/buildinfo.ts";
import { hostTargetName } from "../../scripts/targets.ts";
import { ROOT, hostBinary, make, run, snapshot, which } from "./helpers.ts";

const info = await buildInfo(ROOT);
const tmp = mkdtempSync(join(tmpdir(), "xf-bin-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function versionLines(target: string): string[] {
  return [`xenoflow ${info.version}`, `commit   ${info.commit}`, `bun      ${info.bunVersion}`, `target   ${target}`];
}

describe("host binary (make build)", () => {
  test("version prints the baked-in version, commit, Bun and target", () => {
    const r = run([hostBinary(), "version"], { cwd: tmp });
    expect({ code: r.code, lines: r.stdout.trimEnd().split("\n"), stderr: r.stderr }).toEqual({
      code: 0,
      lines: versionLines(hostTargetName()),
      stderr: "",
    });
  });

  test("check accepts the shipped config and prints its summary, from any directory", () => {
    const r = run([hostBinary(), "check", "-c", join(ROOT, "config/xenoflow.toml")], { cwd: tmp });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain(`ok ${join(ROOT, "config/xenoflow.toml")}`);
  });

  test("check accepts the installed-layout config that make install writes", () => {
    const r = run([hostBinary(), "check", "-c", join(ROOT, "dist/installed.toml")], { cwd: tmp });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("data_dir   /var/lib/xenoflow\n");
  });
});

describe("make build", () => {
  test("rebuilds only when a source file changed", () => {
    const dir = snapshot(join(tmp, "checkout"));
    const build = () => {
      const r = make(["build"], {}, dir);
      expect(r.code).toBe(0);
      return r.stdout.includes("scripts/build.ts build --outfile dist/xenoflow");
    };
    expect(build()).toBe(true);
    expect(build()).toBe(false);
    const main = join(dir, "src/main.ts");
    utimesSync(main, new Date(), new Date(Date.now() + 5000));
    expect(build()).toBe(true);
    const v = run([join(dir, "dist/xenoflow"), "version"], { cwd: tmp });
    expect(v.stdout.split("\n")[1]).toBe("commit   unknown"); // the snapshot is not a git checkout
  });
});

// The ARM64 runtime comes from npm (cached in .cache/bun-runtimes); qemu runs it with the
// cross glibc from Debian's libc6-arm64-cross.
const QEMU = which("qemu-aarch64-static");
const ARM64_LIBC = "/usr/aarch64-linux-gnu";

describe.skipIf(!QEMU || !existsSync(ARM64_LIBC))("linux-arm64 binary under qemu", () => {
  test(
    "cross-compiles with the npm runtime, runs version, and receives with recvmmsg",
    async () => {
      const out = join(tmp, "xenoflow-arm64");
      const b = run([process.execPath, "scripts/build.ts", "build", "--target", "linux-arm64", "--outfile", out]);
      expect({ code: b.code, stderr: b.stderr }).toEqual({ code: 0, stderr: "" });
      const r = run([QEMU ?? "", "-L", ARM64_LIBC, out, "version"], { cwd: tmp });
      expect({ code: r.code, lines: r.stdout.trimEnd().split("\n") }).toEqual({ code: 0, lines: versionLines("linux-arm64") });
      expect(await receivesUnderQemu(out)).toEqual({ receiver: "recvmmsg", datagrams: 2, flows: 8 });
    },
    180_000,
  );
});

/**
 * The arm64 collector receives over loopback with recvmmsg(2) through bun:ffi (struct layouts
 * and the C library as on a board): the two IPFIX datagrams of a corpus capture, eight flows.
 */
async function receivesUnderQemu(binary: string): Promise<{ receiver: string; datagrams: number; flows: number }> {
  const free = async () => {
    const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const p = s.port;
    s.stop(true);
    return p;
  };
  const [udp, http] = [await free(), await free()];
  const dir = mkdtempSync(join(tmp, "run-"));
  const config = join(dir, "x.toml");
  await Bun.write(config, `data_dir = "${dir}/data"\n[collector]\nlisten = ["127.0.0.1:${udp}"]\n[http]\nlisten = "127.0.0.1:${http}"\n`);
  const proc = Bun.spawn([QEMU ?? "", "-L", ARM64_LIBC, binary, "run", "-c", config], {
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", JOURNAL_STREAM: "", XENOFLOW_DB_URL: `sqlite:${dir}/db.sqlite` },
  });
  let log = "";
  const reader = (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) log += new TextDecoder().decode(chunk);
  })();
  try {
    for (let i = 0; i < 600 && !log.includes("listening on udp"); i++) await Bun.sleep(50);
    const capture = join(ROOT, "test/fixtures/vendors/ipfix-barracuda.pcap");
    expect(run([process.execPath, join(ROOT, "src/main.ts"), "replay", capture, "--to", `127.0.0.1:${udp}`]).code).toBe(0);
    const metric = async (name: string) => {
      const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
    };
    let flows = 0;
    for (let i = 0; i < 100 && flows < 8; i++, await Bun.sleep(100)) flows = await metric("xenoflow_decoded_flows_total");
    const receiver = /listening on udp \S+ \((\w+)\)/.exec(log)?.[1] ?? log;
    return { receiver, datagrams: await metric("xenoflow_received_datagrams_total"), flows };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
    await reader;
  }
}
