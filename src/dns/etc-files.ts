/** /etc/resolv.conf for a container, as Podman writes it. */
export function resolvConfFor(opts: { nameservers: readonly string[]; search: readonly string[]; options: readonly string[] }): string {
  const lines: string[] = [];
  if (opts.search.length > 0) lines.push(`search ${opts.search.join(" ")}`);
  for (const ns of opts.nameservers) lines.push(`nameserver ${ns}`);
  if (opts.options.length > 0) lines.push(`options ${opts.options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/** /etc/hosts for a container: localhost, its own name on each address, then --add-host entries. */
export function hostsFileFor(opts: { hostname: string; selfIps: readonly string[]; extra: readonly { name: string; ip: string }[] }): string {
  const lines = ["127.0.0.1\tlocalhost localhost.localdomain", "::1\tlocalhost localhost.localdomain"];
  for (const ip of opts.selfIps) lines.push(`${ip}\t${opts.hostname}`);
  for (const e of opts.extra) lines.push(`${e.ip}\t${e.name}`);
  return `${lines.join("\n")}\n`;
}
