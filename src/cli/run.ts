import { defineCommand } from "citty";
import { configPath, loadConfig } from "../config/load.ts";
import { expressionChecker } from "../expressions.ts";
import { type Logger, createLogger } from "../log.ts";
import { bindError } from "../net/bind-error.ts";
import { formatListen } from "../net/listen.ts";
import { type Collector, startCollector } from "../collector/run.ts";
import { maskUrl } from "../store/store-error.ts";
import { configFlag } from "./flags.ts";

export default defineCommand({
  meta: { name: "run", description: "run the collector in the foreground (systemd-friendly)" },
  args: { config: configFlag },
  async run({ args }) {
    const file = configPath(args.config);
    const config = loadConfig(file, { expressions: expressionChecker });
    const log = createLogger();
    const collector = await startCollector(config, log).catch((e: unknown) => {
      throw bindError(e) ?? e;
    });
    const listening = collector.receiver.bound.map(formatListen).join(", ");
    log.info(`xenoflow listening on udp ${listening} (${collector.receiver.kind}); writing to ${maskUrl(config.storage.url)}; state in ${config.dataDir}`);
    const stopped = new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log.info(`${sig}: exporting open windows and stopping`);
        collector.stop().then(resolve, (e) => {
          log.error(`stop: ${(e as Error).message}`);
          resolve();
        });
      };
      process.on("SIGHUP", () => reload(collector, file, log));
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    await stopped;
    process.removeAllListeners("SIGHUP");
    log.info("stopped");
    return 0;
  },
});

// SIGHUP (systemctl reload): a config that fails to load or apply changes nothing but a log line.
function reload(collector: Collector, file: string, log: Logger): void {
  try {
    const next = loadConfig(file, { expressions: expressionChecker });
    const notes = collector.reload(next);
    log.info(`SIGHUP: reloaded ${file}${notes.length ? `; ${notes.join("; ")}` : ""}`);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/\n/g, "; ") : String(e);
    log.error(`SIGHUP: reload of ${file} rejected, keeping the running configuration: ${reason}`);
  }
}
