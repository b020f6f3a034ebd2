// make release's assembly, on a snapshot of the checkout so that other work going on in src/ cannot
// change the binary between the two builds being compared.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildInfo, type BuildInfo } from "../../scripts/buildinfo.ts";
import { installedConfig } from "../../scripts/installed-config.ts";
import { release } from "../../scripts/release.ts";
import { sharedFiles } from "../../scripts/share.ts";
import { releaseTarget } from "../../scripts/targets.ts";
import { readTarGz } from "../../scripts/tar.ts";
import { ROOT, run, snapshot } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "xf-release-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const checkout = snapshot(join(tmp, "checkout"));

const info: BuildInfo = { ...(await buildInfo(ROOT)), commit: "0123456789ab", sourceDate: 1_700_000_000 };
const target = releaseTarget("linux-x64-baseline"); // runs on any x86-64 CI machine without qemu
const cacheDir = join(ROOT, ".cache/bun-runtimes");
const TOP = `xenoflow-${info.version}-linux-x64-baseline`;

describe.skipIf(process.arch !== "x64")("release", () => {
  test(
    "writes a tarball with the binary and its files, a matching SHA256SUMS, and the same bytes twice",
    async () => {
      const a = join(tmp, "a");
      const b = join(tmp, "b");
      const sums = await release({ root: checkout, info, outDir: a, cacheDir, targets: [target] });
      await release({ root: checkout, info, outDir: b, cacheDir, targets: [target] });

      const name = `${TOP}.tar.gz`;
      expect(readFileSync(join(a, "SHA256SUMS"), "utf8")).toBe(`${sums.join("\n")}\n`);
      expect(sums).toEqual([`${new Bun.CryptoHasher("sha256").update(readFileSync(join(a, name))).digest("hex")}  ${name}`]);
      expect(run(["sha256sum", "-c", "SHA256SUMS"], { cwd: a })).toEqual({ code: 0, stdout: `${name}: OK\n`, stderr: "" });
      expect(readFileSync(join(b, name)).equals(readFileSync(join(a, name)))).toBe(true);

      const files = readTarGz(readFileSync(join(a, name)));
      const shipped = ["INSTALL.md", "LICENSE", "README.md", "xenoflow", "xenoflow.service", "xenoflow.sysctl.conf", "xenoflow.toml"];
      expect([...files.keys()]).toEqual([...shipped, ...sharedFiles(checkout).map((f) => f.name)].map((f) => `${TOP}/${f}`).sort());
      // What the docs name, in the layout `make install` gives /usr/local/share/xenoflow.
      for (const f of ["sql/install.sql", "grafana/xenoflow.json", "scripts/log-alert.sh", "examples/isp-edge.toml", "doc/ALERTS.md"]) {
        expect(files.has(`${TOP}/${f}`)).toBe(true);
      }
      const text = (f: string) => new TextDecoder().decode(files.get(`${TOP}/${f}`));
      expect(text("xenoflow.service")).toBe(readFileSync(join(ROOT, "systemd/xenoflow.service"), "utf8"));
      expect(text("xenoflow.toml")).toBe(installedConfig(readFileSync(join(checkout, "config/xenoflow.toml"), "utf8")));

      const unpacked = join(tmp, "unpacked");
      mkdirSync(unpacked);
      expect(run(["tar", "-xzf", join(a, name), "-C", unpacked]).code).toBe(0);
      expect(run(["stat", "-c", "%a %n", "scripts/log-alert.sh", "sql/install.sql", "examples/limits"], { cwd: join(unpacked, TOP) }).stdout).toBe(
        "755 scripts/log-alert.sh\n644 sql/install.sql\n755 examples/limits\n",
      );
      const v = run([join(unpacked, TOP, "xenoflow"), "version"], { cwd: unpacked });
      expect({ code: v.code, lines: v.stdout.trimEnd().split("\n") }).toEqual({
        code: 0,
        lines: [`xenoflow ${info.version}`, "commit   0123456789ab", `bun      ${info.bunVersion}`, "target   linux-x64-baseline"],
      });
      const tv = run(["tar", "--full-time", "-tvzf", join(a, name)], { env: { TZ: "UTC" } });
      expect(new Set(tv.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(1, 2).concat(l.split(/\s+/).slice(3, 5)).join(" ")))).toEqual(
        new Set(["root/root 2023-11-14 22:13:20"]),
      );
    },
    240_000,
  );
});
