import { defineCommand } from "citty";

// Placeholder removed once config/load.ts lands (helper work in progress).
export default defineCommand({
  meta: { name: "check", description: "validate the configuration and print a summary" },
  args: { config: { type: "string", alias: "c", description: "configuration file" } },
  run() {
    return 0;
  },
});
