import { BerthError } from "../errors.js";

function checkWord(value: string, what: string): string {
  if (value === "" || /[\s#;\x00-\x1f\x7f]/.test(value)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid ${what} "${value}": it must be one word without spaces, "#" or ";"`, {
      hint: `Check the ${what} given to berth run`,
    });
  }
  return value;
}

/**
 * A container's /etc/resolv.conf, as Podman writes it: `search`, then one
 * `nameserver` line per server (duplicates dropped), then `options`.
 *
 * @example resolvConfFor({ nameservers: ["10.89.0.1"], search: ["dns.berth"], options: ["ndots:2"] })
 * // "search dns.berth\nnameserver 10.89.0.1\noptions ndots:2\n"
 */
export function resolvConfFor(opts: { nameservers: readonly string[]; search: readonly string[]; options: readonly string[] }): string {
  const lines: string[] = [];
  const search = [...new Set(opts.search.map((s) => checkWord(s, "DNS search domain")))];
  if (search.length > 0) lines.push(`search ${search.join(" ")}`);
  for (const ns of new Set(opts.nameservers)) lines.push(`nameserver ${checkWord(ns, "DNS server")}`);
  const options = opts.options.map((o) => checkWord(o, "DNS option"));
  if (options.length > 0) lines.push(`options ${options.join(" ")}`);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** The name Podman gives the host in a container's /etc/hosts: the host's address on the container's network (its gateway). */
export const HOST_CONTAINERS_INTERNAL = "host.containers.internal";

/**
 * A container's /etc/hosts, in Podman's order: `--add-host` entries first
 * (so they win), then localhost, then `host.containers.internal` on the
 * gateway of the container's first network (unless an --add-host names it),
 * then the container's own hostname and name on each of its addresses.
 */
export function hostsFileFor(opts: {
  hostname: string;
  name?: string;
  selfIps: readonly string[];
  hostGateway?: string;
  extra: readonly { name: string; ip: string }[];
}): string {
  const lines: string[] = [];
  for (const e of opts.extra) lines.push(`${checkWord(e.ip, "--add-host address")}\t${checkWord(e.name, "--add-host name")}`);
  lines.push("127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4");
  lines.push("::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6");
  if (opts.hostGateway !== undefined && !opts.extra.some((e) => e.name === HOST_CONTAINERS_INTERNAL)) {
    lines.push(`${checkWord(opts.hostGateway, "gateway address")}\t${HOST_CONTAINERS_INTERNAL}`);
  }
  const names = [...new Set([checkWord(opts.hostname, "hostname"), ...(opts.name === undefined ? [] : [checkWord(opts.name, "container name")])])].join(" ");
  for (const ip of new Set(opts.selfIps)) lines.push(`${checkWord(ip, "container address")}\t${names}`);
  return `${lines.join("\n")}\n`;
}
