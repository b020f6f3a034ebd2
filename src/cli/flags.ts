// Flags several commands share, so their help reads the same everywhere.

export const configFlag = {
  type: "string",
  alias: "c",
  description: "configuration file (default: XENOFLOW_CONFIG, config/xenoflow.toml, /etc/xenoflow/xenoflow.toml)",
} as const;
