#!/usr/bin/env bun
// Build and release entry point, run by the Makefile:
//   bun scripts/build.ts build [--target NAME] [--outfile FILE]   one binary (default: this machine, dist/xenoflow)
//   bun scripts/build.ts release [--targets a,b]                 dist/release/*.tar.gz + SHA256SUMS
//   bun scripts/build.ts runtime NAME                            fetch a target's Bun runtime; print its path
//   bun scripts/build.ts installed-config IN OUT                 config for the installed layout
//   bun scripts/build.ts share DIR                               sql/, grafana/, scripts/, examples/, doc/ into DIR
//   bun scripts/build.ts stamp FILE                              rewrite FILE only when version/commit changed
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildInfo } from "./buildinfo.ts";
import { compile } from "./compile.ts";
import { installedConfig } from "./installed-config.ts";
import { release } from "./release.ts";
import { ensureRuntime } from "./runtime.ts";
import { installShared } from "./share.ts";
import { hostTargetName, RELEASE_TARGETS, releaseTarget } from "./targets.ts";

const ROOT = dirname(import.meta.dir);
const CACHE = process.env.XENOFLOW_RUNTIME_CACHE ?? join(ROOT, ".cache/bun-runtimes");

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { target: { type: "string" }, targets: { type: "string" }, outfile: { type: "string" } },
  });
  const [command, ...rest] = positionals;
  const info = await buildInfo(ROOT);

  switch (command) {
    case "build": {
      const outfile = resolve(values.outfile ?? join(ROOT, "dist/xenoflow"));
      const name = values.target ?? hostTargetName();
      if (name === hostTargetName()) {
        compile({ root: ROOT, outfile, info, targetName: name });
      } else {
        const t = releaseTarget(name);
        const runtime = await ensureRuntime(t, info.bunVersion, CACHE);
        compile({ root: ROOT, outfile, info, targetName: t.name, bunTarget: t.bunTarget, executablePath: runtime });
      }
      console.log(`${outfile}  xenoflow ${info.version} ${info.commit} ${name}`);
      return;
    }
    case "release": {
      const targets = values.targets ? values.targets.split(",").map(releaseTarget) : RELEASE_TARGETS;
      const outDir = join(ROOT, "dist/release");
      await release({ root: ROOT, info, outDir, cacheDir: CACHE, targets, log: (l) => console.log(l) });
      console.log(`${join(outDir, "SHA256SUMS")}`);
      return;
    }
    case "runtime": {
      console.log(await ensureRuntime(releaseTarget(rest[0] ?? ""), info.bunVersion, CACHE));
      return;
    }
    case "installed-config": {
      const [from, to] = rest;
      if (!from || !to) throw new Error("usage: installed-config IN OUT");
      await Bun.write(to, installedConfig(readFileSync(from, "utf8")));
      return;
    }
    case "share": {
      const dest = rest[0];
      if (!dest) throw new Error("usage: share DIR");
      console.log(`${await installShared(ROOT, dest)} files in ${dest}`);
      return;
    }
    case "stamp": {
      const file = rest[0];
      if (!file) throw new Error("usage: stamp FILE");
      const text = `${JSON.stringify({ version: info.version, commit: info.commit, bun: info.bunVersion })}\n`;
      // An unchanged stamp keeps its mtime, so make rebuilds only when something baked in moved.
      if (!existsSync(file) || readFileSync(file, "utf8") !== text) await Bun.write(file, text);
      return;
    }
    default:
      throw new Error(`unknown command "${command ?? ""}" (build, release, runtime, installed-config, share, stamp)`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
