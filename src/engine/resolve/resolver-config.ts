/**
 * The files that decide how a process resolves a name, as glibc and musl
 * read them: /etc/resolv.conf, /etc/hosts and the `hosts:` line of
 * /etc/nsswitch.conf. Pure parsers; reading them from a container is
 * container-files.ts.
 */

export interface ResolvConf {
  /** `nameserver` lines, in order (glibc and musl use the first three). */
  readonly nameservers: readonly string[];
  /** The last `search` (or `domain`) line's domains. */
  readonly search: readonly string[];
  /** `options ndots:N` (default 1). */
  readonly ndots: number;
  /** `options timeout:N` in seconds (default 5). */
  readonly timeoutSec: number;
}

/** The most name servers a resolver library uses (MAXNS). */
export const MAX_NAMESERVERS = 3;

export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1;
  let timeoutSec = 5;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === "nameserver" && rest[0] !== undefined) nameservers.push(rest[0].replace(/%.*$/, ""));
    else if (key === "search" || key === "domain") search = rest;
    else if (key === "options") {
      for (const o of rest) {
        const m = /^(ndots|timeout):([0-9]+)$/.exec(o);
        if (m?.[1] === "ndots") ndots = Math.min(Number(m[2]), 15);
        if (m?.[1] === "timeout") timeoutSec = Math.max(1, Number(m[2]));
      }
    }
  }
  return { nameservers: nameservers.slice(0, MAX_NAMESERVERS), search, ndots, timeoutSec };
}

/** The addresses /etc/hosts gives `name` (case-insensitive, any of a line's names), in file order. */
export function hostsLookup(text: string, name: string): string[] {
  const want = name.toLowerCase().replace(/\.$/, "");
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const [ip, ...names] = raw.replace(/#.*$/, "").trim().split(/\s+/);
    if (ip && names.some((n) => n.toLowerCase() === want)) out.push(ip);
  }
  return out;
}

/** A `hosts:` source the lookup understands; others (mdns, myhostname, ...) are reported and skipped. */
export type HostsSource = "files" | "dns" | { readonly other: string };

/** The sources of the `hosts:` line of nsswitch.conf, in order; `files dns` when there is none (glibc's default; musl always does this). */
export function nsswitchHosts(text: string | undefined): HostsSource[] {
  for (const raw of (text ?? "").split("\n")) {
    const m = /^\s*hosts\s*:\s*(.*)$/.exec(raw.replace(/#.*$/, ""));
    if (!m?.[1]) continue;
    // action items like [NOTFOUND=return] are left out: the lookup goes on to the next source
    return m[1]
      .split(/\s+/)
      .filter((w) => w !== "" && !w.startsWith("["))
      .map((w): HostsSource => (w === "files" || w === "dns" ? w : { other: w }));
  }
  return ["files", "dns"];
}

/**
 * The names a stub resolver asks for `name`, in order: a name with at
 * least `ndots` dots is tried as it is first, then with each search domain;
 * a shorter one with the search domains first. A trailing dot means as is only.
 */
export function candidateNames(name: string, conf: Pick<ResolvConf, "search" | "ndots">): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const dots = name.split(".").length - 1;
  const searched = conf.search.filter((d) => d !== ".").map((d) => `${name}.${d}`);
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}
