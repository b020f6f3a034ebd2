// Bad configurations, one case each: the exact FILE:LINE:COL: message lines the user sees.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ExpressionChecker } from "../../src/config/expressions.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";
import { tree } from "./tmp.ts";

// A tiny checker standing in for src/filter and src/monitor: it knows a handful of words, which is
// enough to see that its verdicts are located at the right column.
const checker: ExpressionChecker = {
  filter(src) {
    const m = /\b(prot|hots)\b/.exec(src);
    return m ? { col: m.index + 1, message: `unknown field \`${m[1]}\`` } : null;
  },
  key(text, fields) {
    const known = ["src host", "dst host", "proto", "dst port", ...fields.map((f) => f.name)];
    return known.includes(text) ? null : `unknown key field "${text}"`;
  },
};

interface Case {
  name: string;
  toml: string;
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** Lines as printed, with FILE for the main file's path and DIR for its directory. */
  expect: string[];
}

const W = `  [[mo.window]]\n  name = "w"\n  every = "30s"\n  values = ["octets"]\n`;

const cases: Case[] = [
  {
    name: "syntax error: unterminated string",
    toml: `data_dir = "var`,
    expect: ["FILE:1:12: unterminated string in the value of `data_dir`"],
  },
  {
    name: "syntax error: unterminated string in a section, a comment before it",
    toml: `[http]\n# the API\nlisten = "127.0.0.1:8080\n`,
    expect: ["FILE:3:10: unterminated string in the value of `listen`"],
  },
  {
    name: "syntax error: unterminated multi-line string",
    toml: `[[mo]]\nname = "a"\nfilter = """\n  proto tcp\n`,
    expect: ["FILE:3:10: unterminated string in the value of `filter`"],
  },
  {
    name: "syntax error: a key defined twice",
    toml: `[http]\nlisten = ""\nlisten = "127.0.0.1:1"\n`,
    expect: ["FILE:3:1: `http.listen` is defined twice"],
  },
  {
    name: "syntax error: a table defined twice",
    toml: `[http]\nlisten = ""\n\n[http]\n`,
    expect: ["FILE:4:1: table [http] is defined twice"],
  },
  {
    name: "syntax error: a table header without its ]",
    toml: `[collector\nworkers = 2\n`,
    expect: ["FILE:1:1: table header `[collector` is not closed with `]`"],
  },
  {
    name: "syntax error: an array of tables header without its ]]",
    toml: `[[mo]\nname = "a"\n`,
    expect: ["FILE:1:1: table header `[[mo]` is not closed with `]]`"],
  },
  {
    name: "syntax error: an array without its ], the next key after it",
    toml: `[collector]\nlisten = ["0.0.0.0:2055",\n          "[::]:2055"\nworkers = 2\n`,
    expect: ["FILE:2:10: array in the value of `listen` is not closed with `]`"],
  },
  {
    name: "syntax error: an array without its ] at the end of the file",
    toml: `[collector]\nlisten = ["0.0.0.0:2055"`,
    expect: ["FILE:2:10: array in the value of `listen` is not closed with `]`"],
  },
  {
    name: "syntax error: an array without a comma",
    toml: `[collector]\nlisten = ["0.0.0.0:2055" "[::]:2055"]\n`,
    expect: ['FILE:2:26: missing `,` before `"` in the value of `listen`'],
  },
  {
    name: "syntax error: a bad value, unquoted text",
    toml: `[http]\nlisten = 127.0.0.1:8080\n`,
    expect: ["FILE:2:10: invalid value `127.0.0.1:8080` for `listen` (text must be in quotes)"],
  },
  {
    name: "syntax error: a bad value, a misspelt boolean in an array element's table",
    toml: `[[mo]]\nname = "a"\n  [[mo.window]]\n  name = "w"\n  extended = ture\n`,
    expect: ["FILE:5:14: invalid value `ture` for `extended` (text must be in quotes)"],
  },
  {
    name: "syntax error: a bad value, a malformed number",
    toml: `[collector]\nworkers = 1__0\n`,
    expect: ["FILE:2:11: invalid value `1__0` for `workers`"],
  },
  {
    name: "syntax error: no value",
    toml: `[collector]\nworkers =\n`,
    expect: ["FILE:2:10: `workers` has no value"],
  },
  {
    name: "syntax error: two values",
    toml: `[http]\nlisten = "127.0.0.1:8080" "[::1]:8080"\n`,
    expect: ['FILE:2:27: unexpected `"` after the value of `listen`'],
  },
  {
    name: "syntax error: a key without =",
    toml: `[http]\nlisten "127.0.0.1:8080"\n`,
    expect: ["FILE:2:8: missing `=` after `listen`"],
  },
  {
    name: "syntax error: a bad escape, located at it, in its key's value",
    toml: `data_dir = "C:\\var\\x"\n`,
    expect: ["FILE:1:15: invalid escape sequence in the value of `data_dir`"],
  },
  {
    name: "syntax error: a bad date in its key's value",
    toml: `[http]\nlisten = 2026-12-05T25:00:00Z\n`,
    expect: ["FILE:2:10: invalid time: hour 25 out of range in the value of `listen`"],
  },
  {
    name: "unknown top-level key, with a suggestion",
    toml: `datadir = "var"\n`,
    expect: ["FILE:1:1: unknown key `datadir` (did you mean `data_dir`?)"],
  },
  {
    name: "unknown section key, with a suggestion, and one without",
    toml: `[collector]\nworker = 2\nfoo = 1\n`,
    expect: ["FILE:2:1: unknown key `worker` (did you mean `workers`?)", "FILE:3:1: unknown key `foo`"],
  },
  {
    name: "a section that is not a table",
    toml: `collector = 5\n`,
    expect: ["FILE:1:13: expected a table [collector], found integer 5"],
  },
  {
    name: "[mo] written instead of [[mo]]",
    toml: `[mo]\nname = "all"\n`,
    expect: ["FILE:1:2: expected an array of tables [[mo]], found a table"],
  },
  {
    name: "wrong types",
    toml: `data_dir = 5\n[collector]\nworkers = "two"\n[[mo]]\nname = "a"\n  [[mo.window]]\n  name = "w"\n  every = "30s"\n  values = ["octets"]\n  extended = "yes"\n`,
    expect: [
      "FILE:1:12: `data_dir`: expected a string, found integer 5",
      'FILE:3:11: `workers`: expected an integer, found string "two"',
      'FILE:10:14: `extended`: expected true or false, found string "yes"',
    ],
  },
  {
    name: "out of range integers",
    toml: `[collector]\nworkers = 0\n[alerts]\nscript_concurrency = 5000\n`,
    expect: [
      "FILE:2:11: `workers`: must be 1..256, found 0",
      "FILE:4:22: `script_concurrency`: must be 1..1024, found 5000",
    ],
  },
  {
    name: "bad durations",
    toml: `[storage]\nretention = "30 days"\n[alerts]\nscript_timeout = 30\n`,
    expect: [
      'FILE:2:13: `retention`: expected a duration like "500ms", "30s", "5m", "1h" or "30d", found string "30 days"',
      'FILE:4:18: `script_timeout`: expected a duration like "500ms", "30s", "5m", "1h" or "30d", found integer 30',
    ],
  },
  {
    name: "window every must be whole seconds of at least 1s",
    toml: `[[mo]]\nname = "a"\n  [[mo.window]]\n  name = "w"\n  every = "1500ms"\n  values = ["octets"]\n  [[mo.window]]\n  name = "v"\n  every = "0s"\n  values = ["octets"]\n`,
    expect: ['FILE:5:11: `every`: must be whole seconds, found "1500ms"', 'FILE:9:11: `every`: must be at least 1s, found "0s"'],
  },
  {
    name: "bad sizes",
    toml: `[collector]\nrecv_buffer = "16 megs"\n[storage]\nspool_max = -1\n`,
    expect: [
      'FILE:2:15: `recv_buffer`: expected a size like "64KB", "16MiB", "1GiB" or an integer of bytes, found string "16 megs"',
      "FILE:4:13: `spool_max`: must be at least 0 bytes, found integer -1",
    ],
  },
  {
    name: "listen addresses: port out of range, no port, bad IPv6, duplicate",
    toml: `[collector]\nlisten = [\n  "0.0.0.0:0",\n  "0.0.0.0",\n  "[::g]:4739",\n  "[::]:2055", "[0::0]:2055",\n]\n`,
    expect: [
      'FILE:3:3: `listen`: port must be 1..65535, found 0 in "0.0.0.0:0"',
      'FILE:4:3: `listen`: expected HOST:PORT like "0.0.0.0:2055" or "[::]:4739", found "0.0.0.0"',
      'FILE:5:3: `listen`: expected an IPv6 address inside [], found "::g"',
      "FILE:6:16: `listen`: duplicate address [::]:2055",
    ],
  },
  {
    name: "allowlist: host bits set, not an address, prefix too long",
    toml: `[collector]\nallow = ["10.1.2.3/8", "2001:db8::1/32", "10.0.0.256", "10.0.0.0/33"]\n`,
    expect: [
      'FILE:2:10: `allow`: host bits set in "10.1.2.3/8" (did you mean "10.0.0.0/8"?)',
      'FILE:2:24: `allow`: host bits set in "2001:db8::1/32" (did you mean "2001:db8::/32"?)',
      'FILE:2:42: `allow`: expected an address or CIDR like "192.0.2.0/24", found "10.0.0.256"',
      'FILE:2:56: `allow`: prefix length must be 0..32, found "33" in "10.0.0.0/33"',
    ],
  },
  {
    name: "exporters: a prefix, a duplicate address, a duplicate name, sampling 0",
    toml: `[[exporter]]\naddress = "192.0.2.0/24"\nname = "a"\n[[exporter]]\naddress = "192.0.2.1"\nname = "a"\nsampling_rate = 0\n[[exporter]]\naddress = "192.0.2.1"\nname = "c"\n`,
    expect: [
      'FILE:2:11: `address`: expected a single address, not a prefix, found "192.0.2.0/24"',
      'FILE:6:8: `name`: "a" already names exporter ',
      "FILE:7:17: `sampling_rate`: must be 1..4294967295, found 0",
      "FILE:9:11: `address`: duplicate exporter 192.0.2.1",
    ],
  },
  {
    name: "storage url and password_file",
    toml: `[storage]\nurl = "sqlite:"\npassword_file = "pw"\n`,
    expect: ['FILE:2:7: `url`: expected "sqlite:PATH", found "sqlite:"', "FILE:3:17: `password_file`: applies only to a postgres url"],
  },
  {
    name: "password in both the url and a password_file",
    toml: `[storage]\nurl = "postgres://u:x@h/db"\npassword_file = "pw"\n`,
    expect: ["FILE:3:17: `password_file`: the url already holds a password; keep it in one place"],
  },
  {
    name: "http off loopback without a token",
    toml: `[http]\nlisten = "[::]:9655"\n`,
    expect: ["FILE:2:10: `listen`: [::]:9655 is reachable from other machines; set `token` or `token_file`, or listen on 127.0.0.1"],
  },
  {
    name: "http token twice, token_file missing",
    toml: `[http]\ntoken = "a"\ntoken_file = "secret/token"\n`,
    expect: [
      "FILE:3:14: `token_file`: set either `token` or `token_file`, not both",
      "FILE:3:14: `token_file`: no such file: DIR/secret/token",
    ],
  },
  {
    name: "fields: reserved name, bad element, bad type, duplicate, missing keys",
    toml: `[[field]]\nname = "port"\nelement = 40000\ntype = "int"\n[[field]]\nname = "vrf"\nelement = "0/5"\ntype = "uint"\n[[field]]\nname = "vrf"\nelement = "9/234"\ntype = "uint"\n[[field]]\nname = "x"\n`,
    expect: [
      'FILE:2:8: `name`: "port" is a built-in filter word; choose another name',
      "FILE:3:11: `element`: IANA element number must be 1..32767, found 40000",
      'FILE:4:8: `type`: expected one of "uint", "address", "mac", "string", found string "int" (did you mean `uint`?)',
      'FILE:7:11: `element`: expected an IANA element number or "PEN/ID" (PEN 1..4294967295, ID 1..32767), found string "0/5"',
      'FILE:10:8: `name`: duplicate field name "vrf"',
      "FILE:13:3: missing `element`",
      "FILE:13:3: missing `type`",
    ],
  },
  {
    name: "invalid names of objects, windows, averages and limits",
    toml: `[[mo]]\nname = "Web"\n  [[mo.window]]\n  name = "by-host"\n  every = "30s"\n  values = ["octets"]\n  [[mo.mavg]]\n  name = "1s"\n  window = "1s"\n    [[mo.mavg.limit]]\n    name = ""\n    bits = 1\n`,
    expect: [
      'FILE:2:8: `name`: invalid name "Web": use lower-case letters, digits and _, starting with a letter',
      'FILE:4:10: `name`: invalid name "by-host": use lower-case letters, digits and _, starting with a letter',
      'FILE:8:10: `name`: invalid name "1s": use lower-case letters, digits and _, starting with a letter',
      'FILE:11:12: `name`: invalid name "": use lower-case letters, digits and _, starting with a letter',
    ],
  },
  {
    name: "duplicate names of objects, windows, averages and limits",
    toml: `[[mo]]\nname = "a"\n${W}${W}  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n    [[mo.mavg.limit]]\n    name = "l"\n    bits = 1\n    [[mo.mavg.limit]]\n    name = "l"\n    bits = 2\n  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n[[mo]]\nname = "a"\n`,
    expect: [
      'FILE:8:10: `name`: duplicate window name "w"',
      'FILE:18:12: `name`: duplicate limit name "l"',
      'FILE:21:10: `name`: duplicate mavg name "m"',
      'FILE:24:8: `name`: duplicate mo name "a"',
    ],
  },
  {
    name: "missing name, every and values in a window; missing window in a mavg",
    toml: `[[mo]]\n  [[mo.window]]\n  key = ["proto"]\n  [[mo.mavg]]\n  name = "m"\n`,
    expect: [
      "FILE:1:3: missing `name`",
      "FILE:2:8: missing `name`",
      "FILE:2:8: missing `every`",
      "FILE:2:8: missing `values` (any of octets, packets, bits, flows)",
      "FILE:4:8: missing `window`",
    ],
  },
  {
    name: "values: unknown, repeated, empty",
    toml: `[[mo]]\nname = "a"\n  [[mo.window]]\n  name = "w"\n  every = "30s"\n  values = ["octet", "bits", "bits"]\n  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n  values = []\n`,
    expect: [
      'FILE:6:13: `values`: expected one of "octets", "packets", "bits", "flows", found string "octet" (did you mean `octets`?)',
      'FILE:6:30: `values`: "bits" appears twice',
      "FILE:10:12: `values`: must name at least one of octets, packets, bits, flows",
    ],
  },
  {
    name: "a parent that does not exist",
    toml: `[[mo]]\nname = "web"\n[[mo]]\nname = "https"\nparent = "webb"\n`,
    expect: ['FILE:5:10: `parent`: no mo named "webb" (did you mean `web`?)'],
  },
  {
    name: "parent cycles, long and self",
    toml: `[[mo]]\nname = "a"\nparent = "c"\n[[mo]]\nname = "b"\nparent = "a"\n[[mo]]\nname = "c"\nparent = "b"\n[[mo]]\nname = "d"\nparent = "d"\n[[mo]]\nname = "e"\nparent = "a"\n`,
    expect: ["FILE:3:10: `parent`: parent cycle a -> c -> b -> a", 'FILE:12:10: `parent`: mo "d" is its own parent'],
  },
  {
    name: "enable: not extended, unknown window, unknown mo, malformed",
    toml: `[[mo]]\nname = "a"\n${W}  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n    [[mo.mavg.limit]]\n    name = "l"\n    bits = 1\n    enable = ["a/w", "a/x", "b/w", "w"]\n`,
    expect: [
      'FILE:13:15: `enable`: window "a/w" is not extended (set extended = true on it)',
      'FILE:13:22: `enable`: mo "a" has no window "x"',
      'FILE:13:29: `enable`: no mo named "b"',
      'FILE:13:36: `enable`: expected "mo/window", found "w"',
    ],
  },
  {
    name: "thresholds for values the mavg does not have; a limit with nothing to compare",
    toml: `[[mo]]\nname = "a"\n  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n  values = ["packets"]\n    [[mo.mavg.limit]]\n    name = "l"\n    bits = 1e9\n    packets = -5\n    [[mo.mavg.limit]]\n    name = "k"\n`,
    expect: [
      'FILE:9:5: `bits`: mavg "m" has no value "bits" (its values: packets)',
      "FILE:10:15: `packets`: must be greater than 0, found -5",
      "FILE:11:15: a limit needs a threshold (packets) or a `file`",
    ],
  },
  {
    name: "scripts: missing, not executable, a directory; limit file missing",
    files: { "scripts/plain.sh": "echo not executable\n", "scripts/dir/keep": "" },
    toml: `[[mo]]\nname = "a"\n  [[mo.mavg]]\n  name = "m"\n  window = "5s"\n    [[mo.mavg.limit]]\n    name = "l"\n    bits = 1\n    on_exceed = "scripts/none.sh"\n    on_normal = "scripts/plain.sh"\n    [[mo.mavg.limit]]\n    name = "k"\n    file = "limits/k.csv"\n    on_exceed = "scripts/dir"\n`,
    expect: [
      "FILE:9:17: `on_exceed`: no such file: DIR/scripts/none.sh",
      "FILE:10:17: `on_normal`: not executable: DIR/scripts/plain.sh (chmod +x it)",
      "FILE:13:12: `file`: no such file: DIR/limits/k.csv",
      "FILE:14:17: `on_exceed`: not a regular file: DIR/scripts/dir",
    ],
  },
  {
    name: "include: a literal path that is missing, a non-string",
    toml: `include = ["mo.d/*.toml", "extra.toml", 7]\n`,
    expect: ["FILE:1:27: `include`: no such file: DIR/extra.toml", "FILE:1:41: `include`: expected a string, found integer 7"],
  },
  {
    name: "filter errors located inside the string",
    toml: `[[mo]]\nname = "a"\nfilter = "dst prot 53"\n[[mo]]\nname = "b"\nfilter    =    'src hots 10.0.0.1'\n`,
    expect: ["FILE:3:15: filter: unknown field `prot`", "FILE:6:21: filter: unknown field `hots`"],
  },
  {
    name: "key fields checked, [[field]] names known, repeats reported",
    toml: `[[field]]\nname = "vrf"\nelement = 234\ntype = "uint"\n[[mo]]\nname = "a"\n  [[mo.window]]\n  name = "w"\n  every = "30s"\n  key = ["vrf", "src hots",\n         "proto", "proto"]\n  values = ["octets"]\n`,
    expect: ['FILE:10:17: `key`: unknown key field "src hots"', 'FILE:11:19: `key`: "proto" appears twice'],
  },
  {
    name: "every problem is reported, in file order",
    toml: `[[mo]]\nname = "B"\nparent = "zz"\n[collector]\nworkers = -1\n[storage]\nretention = "1m"\n`,
    expect: [
      'FILE:2:8: `name`: invalid name "B": use lower-case letters, digits and _, starting with a letter',
      'FILE:3:10: `parent`: no mo named "zz"',
      "FILE:5:11: `workers`: must be 1..256, found -1",
      'FILE:7:13: `retention`: must be at least 3600s, found "1m"',
    ],
  },
];

describe("bad configurations", () => {
  for (const c of cases) {
    test(c.name, () => {
      const dir = tree({ ...c.files, "xenoflow.toml": c.toml });
      const file = join(dir, "xenoflow.toml");
      let lines: string[] = [];
      try {
        loadConfig(file, { env: c.env ?? {}, expressions: checker });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        lines = err.message.split("\n");
        expect(err.issues.length).toBe(lines.length);
      }
      // DIR first: a temporary directory's random name may itself hold "DIR".
      expect(lines).toEqual(c.expect.map((l) => l.replaceAll("DIR", dir).replace(/^FILE/, file)));
    });
  }
  test("syntax errors are plain sentences, never the parser's list of expected characters", () => {
    const syntax = cases.filter((c) => c.name.startsWith("syntax error"));
    expect(syntax.length).toBeGreaterThanOrEqual(15);
    for (const c of syntax) for (const l of c.expect) expect(l).not.toMatch(/Expected|but .* found|TOML syntax/);
  });
  test("there are at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
});
