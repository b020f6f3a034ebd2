// make install / uninstall into a DESTDIR: the installed layout that xenoflow.service expects.
import { afterAll, describe, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { installedConfig } from "../../scripts/installed-config.ts";
import { sharedFiles } from "../../scripts/share.ts";
import { ROOT, hostBinary, make } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "xf-install-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under dir as "path mode". */
function tree(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = join(d, e.name);
      return e.isDirectory() ? walk(p) : [`/${relative(dir, p)} ${(lstatSync(p).mode & 0o7777).toString(8)}`];
    });
  return walk(dir).sort();
}

function ok(args: string[]): string {
  const r = make(args);
  if (r.code !== 0) throw new Error(`make ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The shared files as tree() lists them under `share`. */
const shared = (share: string) => sharedFiles(ROOT).map((f) => `${share}/${f.name} ${f.mode.toString(8)}`);

describe("make install", () => {
  test("lays out binary, config, unit, sysctl file and the docs' files under DESTDIR, and uninstall keeps the config", () => {
    hostBinary();
    const dest = join(tmp, "default");
    ok(["install", `DESTDIR=${dest}`]);
    expect(tree(dest)).toEqual([
      "/etc/sysctl.d/90-xenoflow.conf 644",
      "/etc/systemd/system/xenoflow.service 644",
      "/etc/xenoflow/xenoflow.toml 640",
      "/usr/local/bin/xenoflow 755",
      ...shared("/usr/local/share/xenoflow"),
    ].sort());
    // The paths docs/ALERTS.md, docs/GRAFANA.md and docs/INSTALL.md name.
    expect(tree(dest)).toEqual(expect.arrayContaining([
      "/usr/local/share/xenoflow/doc/ALERTS.md 644",
      "/usr/local/share/xenoflow/doc/README.md 644",
      "/usr/local/share/xenoflow/examples/isp-edge.toml 644",
      "/usr/local/share/xenoflow/examples/limits/dns-amp.csv 644",
      "/usr/local/share/xenoflow/grafana/xenoflow.json 644",
      "/usr/local/share/xenoflow/scripts/log-alert.sh 755",
      "/usr/local/share/xenoflow/sql/install.sql 644",
    ]));
    expect(readFileSync(join(dest, "usr/local/share/xenoflow/sql/install.sql"))).toEqual(readFileSync(join(ROOT, "sql/install.sql")));
    expect(readFileSync(join(dest, "usr/local/bin/xenoflow"))).toEqual(readFileSync(join(ROOT, "dist/xenoflow")));
    expect(readFileSync(join(dest, "etc/systemd/system/xenoflow.service"), "utf8")).toBe(
      readFileSync(join(ROOT, "systemd/xenoflow.service"), "utf8"),
    );
    expect(readFileSync(join(dest, "etc/sysctl.d/90-xenoflow.conf"), "utf8")).toBe(
      readFileSync(join(ROOT, "systemd/xenoflow.sysctl.conf"), "utf8"),
    );
    expect(readFileSync(join(dest, "etc/xenoflow/xenoflow.toml"), "utf8")).toBe(
      installedConfig(readFileSync(join(ROOT, "config/xenoflow.toml"), "utf8")),
    );

    ok(["uninstall", `DESTDIR=${dest}`]);
    expect(tree(dest)).toEqual(["/etc/xenoflow/xenoflow.toml 640"]);
  });

  test("never overwrites an operator's config", () => {
    const dest = join(tmp, "upgrade");
    ok(["install", `DESTDIR=${dest}`]);
    const conf = join(dest, "etc/xenoflow/xenoflow.toml");
    writeFileSync(conf, 'data_dir = "/srv/flows"\n');
    expect(ok(["install", `DESTDIR=${dest}`])).toContain(`keeping ${conf}`);
    expect(readFileSync(conf, "utf8")).toBe('data_dir = "/srv/flows"\n');
  });

  test("PREFIX, SYSCONFDIR and UNITDIR move the files and the unit's paths with them", () => {
    const dest = join(tmp, "packaged");
    ok(["install", `DESTDIR=${dest}`, "PREFIX=/usr", "SYSCONFDIR=/etc/opt", "UNITDIR=/lib/systemd/system"]);
    expect(tree(dest)).toEqual([
      "/etc/opt/xenoflow/xenoflow.toml 640",
      "/etc/sysctl.d/90-xenoflow.conf 644",
      "/lib/systemd/system/xenoflow.service 644",
      "/usr/bin/xenoflow 755",
      ...shared("/usr/share/xenoflow"),
    ].sort());
    const unit = readFileSync(join(dest, "lib/systemd/system/xenoflow.service"), "utf8");
    expect(unit.split("\n").filter((l) => l.startsWith("ExecStart="))).toEqual([
      "ExecStart=/usr/bin/xenoflow run -c /etc/opt/xenoflow/xenoflow.toml",
    ]);
  });
});
