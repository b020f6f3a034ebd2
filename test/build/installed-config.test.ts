import { describe, expect, test } from "bun:test";
import toml from "toml";
import { installedConfig } from "../../scripts/installed-config.ts";

const NOTE = "# Installed layout: generated from config/xenoflow.toml with data in the systemd StateDirectory.";

describe("installedConfig", () => {
  test("moves data_dir and a SQLite file inside it, keeping the other comments and lines", () => {
    const src = [
      "# shipped config",
      'data_dir = "var"   # templates, spool',
      "",
      "[storage]",
      'url = "sqlite:var/xenoflow.sqlite"   # embedded',
      'retention = "30d"',
      "",
      "[[mo]]",
      'name = "all"',
    ].join("\n");
    expect(installedConfig(src)).toBe(
      [
        NOTE,
        "# shipped config",
        'data_dir = "/var/lib/xenoflow" # the systemd StateDirectory (xenoflow.service)',
        "",
        "[storage]",
        'url = "sqlite:/var/lib/xenoflow/xenoflow.sqlite"   # embedded',
        'retention = "30d"',
        "",
        "[[mo]]",
        'name = "all"',
      ].join("\n"),
    );
  });

  test("adds data_dir when the file relies on the default, and moves ./relative SQLite paths", () => {
    const out = installedConfig('[storage]\nurl = "sqlite:./flows.db"\n');
    expect(toml.parse(out)).toEqual({
      data_dir: "/var/lib/xenoflow",
      storage: { url: "sqlite:/var/lib/xenoflow/flows.db" },
    });
  });

  test("keeps the column of a replaced comment", () => {
    const line = (s: string) => installedConfig(s).split("\n")[1];
    expect(line('data_dir = "../var"                        # var/ at the top of the checkout')).toBe(
      'data_dir = "/var/lib/xenoflow"             # the systemd StateDirectory (xenoflow.service)',
    );
  });

  test("uses the old data_dir to re-root a SQLite path under it, whatever its name", () => {
    const out = installedConfig('data_dir = "state/"\n[storage]\nurl = "sqlite:state/db/x.sqlite"\n', "/srv/xf");
    expect(toml.parse(out)).toEqual({ data_dir: "/srv/xf", storage: { url: "sqlite:/srv/xf/db/x.sqlite" } });
  });

  test("leaves absolute SQLite paths, PostgreSQL URLs and data_dir-looking keys inside tables alone", () => {
    const src = [
      'data_dir = "var"',
      "[storage]",
      'url = "postgres://postgres@127.0.0.1:5432/test"',
      "[debug]",
      'dump_flows = "var/flows.jsonl"',
      "[[exporter]]",
      'data_dir = "not-the-top-level"',
      "[other]",
      'url = "sqlite:/srv/data.sqlite"',
    ].join("\n");
    const out = installedConfig(src);
    expect(out.split("\n").slice(1)).toEqual(['data_dir = "/var/lib/xenoflow"', ...src.split("\n").slice(1)]);
  });
});
