import { execFileSync } from "../exec.js";
import { nftFailure } from "./nft-error.js";

/** A chain as `nft -a list ruleset` prints it: base chains have a hook, priority and policy. */
export interface ChainInfo {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly hook?: string;
  readonly priority?: string;
  readonly policy?: string;
}

/** Every chain and rule of a ruleset, by name and handle, for naming what a trace event points to. */
export interface RulesetText {
  chain(family: string, table: string, chain: string): ChainInfo | undefined;
  /** The rule's text as nft prints it (counters and all, without the handle comment). */
  rule(family: string, table: string, chain: string, handle: number): string | undefined;
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/**
 * Read `nft -a list ruleset` output: tables at column 0, chains one tab in,
 * rules two tabs in, each ending in `# handle N`.
 */
export function parseRulesetText(text: string): RulesetText {
  const chains = new Map<string, ChainInfo>();
  const rules = new Map<string, string>();
  let table: { family: string; name: string } | undefined;
  let chain: { -readonly [K in keyof ChainInfo]: ChainInfo[K] } | undefined;
  for (const line of text.split("\n")) {
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) {
      table = { family: t[1] ?? "", name: unquote(t[2] ?? "") };
      chain = undefined;
      continue;
    }
    if (!table) continue;
    const c = /^\tchain (\S+|"[^"]*") \{/.exec(line);
    if (c) {
      chain = { family: table.family, table: table.name, name: unquote(c[1] ?? "") };
      chains.set(`${table.family} ${table.name} ${chain.name}`, chain);
      continue;
    }
    if (/^\t\}/.test(line)) {
      chain = undefined;
      continue;
    }
    if (!chain || !line.startsWith("\t\t")) continue;
    const base = /^\t\ttype \S+ hook (\S+)(?: device \S+)? priority ([^;]+);(?: policy (\S+);)?/.exec(line);
    if (base) {
      chain.hook = base[1] ?? "";
      chain.priority = base[2] ?? "";
      chain.policy = base[3] ?? "accept";
      continue;
    }
    const r = /^\t\t(.*?)\s*# handle ([0-9]+)$/.exec(line);
    if (r) rules.set(`${chain.family} ${chain.table} ${chain.name} ${r[2] ?? ""}`, r[1] ?? "");
  }
  return {
    chain: (f, tb, ch) => chains.get(`${f} ${tb} ${ch}`),
    rule: (f, tb, ch, h) => rules.get(`${f} ${tb} ${ch} ${h}`),
  };
}

/** The live ruleset with handles. Equivalent to: nft -a -s list ruleset (stateless: counters print as `counter`) */
export function readRulesetText(): string {
  const r = execFileSync("nft", ["-a", "-s", "list", "ruleset"]);
  if (r.code !== 0) throw nftFailure("Cannot read the nftables ruleset (nft -a list ruleset)", r.stderr);
  return r.stdout;
}
