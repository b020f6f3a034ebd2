import { defineCommand } from "citty";
import { configPath, loadConfig } from "../config/load.ts";
import { expressionChecker } from "../expressions.ts";
import { createLogger } from "../log.ts";
import { formatListen } from "../net/listen.ts";
import { startCollector } from "../pipeline.ts";
import { maskUrl } from "../store/store-error.ts";

export default defineCommand({
  meta: { name: "run", description: "run the collector in the foreground (systemd-friendly)" },
  args: { config: { type: "string", alias: "c", description: "configuration file" } },
  async run({ args }) {
    const config = loadConfig(configPath(args.config), { expressions: expressionChecker });
    const log = createLogger();
    const collector = await startCollector(config, log);
    const listening = collector.receiver.bound.map(formatListen).join(", ");
    log.info(`xenoflow listening on udp ${listening}; writing to ${maskUrl(config.storage.url)}; state in ${config.dataDir}`);
    const stopped = new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log.info(`${sig}: exporting open windows and stopping`);
        collector.stop().then(resolve, (e) => {
          log.error(`stop: ${(e as Error).message}`);
          resolve();
        });
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    await stopped;
    log.info("stopped");
    return 0;
  },
});
