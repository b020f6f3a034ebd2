#!/usr/bin/env bun
import { runCli } from "./cli/index.ts";

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// A command that failed may leave handles open (a collector that stopped half-way through its
// start: sockets, timers); they must not keep a failed process alive. A second lets stdout drain.
if (code !== 0) setTimeout(() => process.exit(code), 1000).unref();
