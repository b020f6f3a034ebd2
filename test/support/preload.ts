// Loaded before every test file (bunfig.toml [test] preload): hooks here run once for the whole
// run. The config trees tests write are shared across files, so they go after the last one.
import { afterAll } from "bun:test";
import { removeTrees } from "../config/tmp.ts";

afterAll(removeTrees);
