// The config an installed xenoflow starts with: the shipped config/xenoflow.toml with its data
// moved to the systemd StateDirectory. Rewritten line by line rather than parsed and re-serialised
// so the operator keeps every comment of the original.

export const INSTALLED_DATA_DIR = "/var/lib/xenoflow";

const DATA_DIR_LINE = /^(\s*)data_dir\s*=\s*"([^"]*)"(\s*)(#.*)?$/;
const DATA_DIR_NOTE = "# the systemd StateDirectory (xenoflow.service)";
const SQLITE_URL_LINE = /^(\s*url\s*=\s*")sqlite:([^"]*)(".*)$/;
const TABLE_LINE = /^\s*\[/;

/**
 * `text` with the top-level data_dir set to `dataDir` (added when absent) and a relative SQLite
 * path that lived in the old data_dir moved into the new one; every other line kept as is.
 */
export function installedConfig(text: string, dataDir = INSTALLED_DATA_DIR): string {
  const lines = text.split("\n");
  let oldDir = "var"; // the default in DESIGN.md section 3
  const tableAt = lines.findIndex((l) => TABLE_LINE.test(l));
  const firstTable = tableAt < 0 ? lines.length : tableAt;

  const at = lines.slice(0, firstTable).findIndex((l) => DATA_DIR_LINE.test(l));
  if (at >= 0) {
    const m = DATA_DIR_LINE.exec(lines[at] ?? "");
    if (m) {
      oldDir = m[2] ?? oldDir;
      // The old comment described the old place; keep the column it started at.
      const value = `${m[1]}data_dir = ${JSON.stringify(dataDir)}`;
      const pad = m[4] ? " ".repeat(Math.max(1, (lines[at] ?? "").length - (m[4] ?? "").length - value.length)) : "";
      lines[at] = m[4] ? `${value}${pad}${DATA_DIR_NOTE}` : value;
    }
  } else {
    lines.splice(0, 0, `data_dir = ${JSON.stringify(dataDir)} ${DATA_DIR_NOTE}`);
  }

  const oldPrefix = `${oldDir.replace(/\/+$/, "")}/`;
  for (let i = 0; i < lines.length; i++) {
    const m = SQLITE_URL_LINE.exec(lines[i] ?? "");
    if (!m || (m[2] ?? "").startsWith("/")) continue;
    const path = m[2] ?? "";
    const rel = path.startsWith(oldPrefix) ? path.slice(oldPrefix.length) : path.replace(/^\.\//, "");
    lines[i] = `${m[1]}sqlite:${dataDir}/${rel}${m[3]}`;
  }

  const note = "# Installed layout: generated from config/xenoflow.toml with data in the systemd StateDirectory.";
  return `${note}\n${lines.join("\n")}`;
}
