// The vendor corpus (real exports from many vendors, with tshark's decode beside each capture),
// copied from the project's shared corpus; its README and Apache-2.0 LICENSE travel with it.
import { join } from "node:path";

export const CORPUS = join(import.meta.dir, "../fixtures/vendors");
