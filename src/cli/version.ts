import { defineCommand } from "citty";
import { VERSION, commit, target } from "../version.ts";

export default defineCommand({
  meta: { name: "version", description: "print version, git commit, Bun version and build target" },
  run() {
    console.log(`xenoflow ${VERSION}\ncommit   ${commit()}\nbun      ${Bun.version}\ntarget   ${target()}`);
    return 0;
  },
});
