import type { DnsSettings, ExtraHost, NetworkMode, NetworkRequest } from "../../model/container.js";
import { BRIDGE_MODE } from "../../model/network.js";
import { parseAlias, parseContainerName, parseHostname, printable } from "../../model/names.js";
import { formatIpv4, parseIpv4 } from "../../model/ipv4.js";
import { normalizeIpv6 } from "../../model/ipv6.js";
import { parseMac } from "../../model/mac.js";
import { BerthError } from "../../errors.js";
import { ANY_FAMILY, parseExpose, parsePortSpec, type PortRequest } from "../../model/port-spec.js";
import type { ProcessOptions } from "./run-process-options.js";

/** What `berth run` was asked for, before validation. */
export interface RunOptions {
  readonly command: readonly string[];
  readonly name?: string;
  readonly detach?: boolean;
  readonly autoRemove?: boolean;
  /** Each --network value (repeatable; each may be a comma-separated list). */
  readonly networks?: readonly string[];
  readonly ip?: string;
  readonly ip6?: string;
  readonly mac?: string;
  readonly aliases?: readonly string[];
  readonly hostname?: string;
  readonly rootfs?: string;
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  readonly addHosts?: readonly string[];
  readonly tty?: boolean;
  /** Show the host's /home (read-only) in a container on the host's root filesystem. */
  readonly hostHome?: boolean;
  readonly interactive?: boolean;
  readonly env?: readonly string[];
  /** -p values. */
  readonly publish?: readonly string[];
  /** -P: publish every --expose port on a random host port. */
  readonly publishAll?: boolean;
  readonly expose?: readonly string[];
  /** -w, -u, -v, --cap-add/--cap-drop, --privileged, --sysctl, --label, --init, --restart. */
  readonly process?: ProcessOptions;
  /** `berth create`: record the container and write its bundle; start nothing. */
  readonly createOnly?: boolean;
}

/** The validated form: nothing here can fail at the kernel for a reason we could have seen. */
export interface RunPlan {
  readonly command: readonly string[];
  readonly name: string | undefined;
  readonly mode: NetworkMode;
  readonly hostname: string | undefined;
  readonly rootfs: string | undefined;
  readonly dns: DnsSettings;
  readonly extraHosts: readonly ExtraHost[];
  readonly ports: readonly PortRequest[];
}

/** Parse `--network` values as Podman does: bridge | host | none | container:NAME | NAME[,NAME...] with NAME:ip=..,mac=..,alias=.. */
export function parseNetworkMode(values: readonly string[], perNet: { ip?: string; ip6?: string; mac?: string; aliases?: readonly string[] }): NetworkMode {
  const pieces = values
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (pieces.length === 0) pieces.push(BRIDGE_MODE);
  const special = pieces.find((p) => p === "host" || p === "none" || p.startsWith("container:") || p.startsWith("ns:"));
  if (special !== undefined) {
    if (pieces.length > 1) {
      throw new BerthError("INVALID_ARGUMENT", `--network ${special} cannot be combined with other networks`, {
        hint: "Give either host, none, container:NAME, or a list of networks",
      });
    }
    if (perNet.ip !== undefined || perNet.ip6 !== undefined || perNet.mac !== undefined || (perNet.aliases?.length ?? 0) > 0) {
      throw new BerthError("INVALID_ARGUMENT", `--ip, --ip6, --mac-address and --network-alias need a bridge network, not --network ${special}`, {
        hint: "Drop those options, or use a bridge network",
      });
    }
    if (special === "host") return { kind: "host" };
    if (special.startsWith("ns:")) {
      const path = special.slice("ns:".length);
      if (!path.startsWith("/"))
        throw new BerthError("INVALID_ARGUMENT", `--network ${printable(special)} needs an absolute path`, { hint: "Write --network ns:/run/netns/NAME" });
      return { kind: "ns", path };
    }
    if (special === "none") return { kind: "none" };
    const target = special.slice("container:".length);
    if (target.length === 0)
      throw new BerthError("INVALID_ARGUMENT", "--network container: needs a container name", { hint: "Write --network container:NAME" });
    return { kind: "container", target };
  }
  const reqs: { network: string; ip?: string; ip6?: string; mac?: string; aliases: string[] }[] = [];
  for (const piece of pieces) {
    const colon = piece.indexOf(":");
    const eq = piece.indexOf("=");
    const isOption = eq >= 0 && (colon < 0 || eq < colon);
    if (isOption) {
      const last = reqs[reqs.length - 1];
      if (!last)
        throw new BerthError("INVALID_ARGUMENT", `Network option "${printable(piece)}" comes before any network name`, {
          hint: "Write --network NAME:ip=ADDR",
        });
      applyNetOption(last, piece);
      continue;
    }
    const name = colon < 0 ? piece : piece.slice(0, colon);
    const req: { network: string; ip?: string; ip6?: string; mac?: string; aliases: string[] } = {
      network: name === BRIDGE_MODE ? BRIDGE_MODE : name,
      aliases: [],
    };
    if (colon >= 0) applyNetOption(req, piece.slice(colon + 1));
    if (reqs.some((r) => r.network === req.network)) {
      throw new BerthError("INVALID_ARGUMENT", `Network "${name}" is given twice`, { hint: "Name each network once" });
    }
    reqs.push(req);
  }
  if (perNet.ip !== undefined || perNet.ip6 !== undefined || perNet.mac !== undefined) {
    if (reqs.length > 1) {
      throw new BerthError("INVALID_ARGUMENT", "--ip, --ip6 and --mac-address apply to one network, but several were given", {
        hint: "Use --network NAME:ip=ADDR,ip6=ADDR,mac=MAC for each network instead",
      });
    }
  }
  const first = reqs[0];
  if (first) {
    if (perNet.ip !== undefined) first.ip = perNet.ip;
    if (perNet.ip6 !== undefined) first.ip6 = perNet.ip6;
    if (perNet.mac !== undefined) first.mac = perNet.mac;
  }
  const aliases = (perNet.aliases ?? []).map(parseAlias);
  const networks: NetworkRequest[] = reqs.map((r) => ({
    network: r.network,
    ...(r.ip === undefined ? {} : { ip: formatIpv4(parseIpv4(r.ip, "address for --ip")) }),
    ...(r.ip6 === undefined ? {} : { ip6: normalizeIpv6(r.ip6, "address for --ip6") }),
    ...(r.mac === undefined ? {} : { mac: parseMac(r.mac) }),
    aliases: [...r.aliases.map(parseAlias), ...aliases],
  }));
  return { kind: "bridge", networks };
}

function applyNetOption(req: { ip?: string; ip6?: string; mac?: string; aliases: string[] }, text: string): void {
  for (const opt of text.split(",")) {
    const eq = opt.indexOf("=");
    const key = opt.slice(0, eq);
    const value = opt.slice(eq + 1);
    if (eq < 0 || value.length === 0) throw badOpt(opt);
    if (key === "ip") req.ip = value;
    else if (key === "ip6") req.ip6 = value;
    else if (key === "mac") req.mac = value;
    else if (key === "alias") req.aliases.push(value);
    else throw badOpt(opt);
  }
}

function badOpt(opt: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Unknown network option "${printable(opt)}"`, {
    hint: "Per-network options are ip=ADDR, ip6=ADDR, mac=MAC and alias=NAME",
  });
}

/** Validate everything `run` was given, with no side effects. */
export function planRun(opts: RunOptions): RunPlan {
  if (opts.command.length === 0) {
    throw new BerthError("INVALID_ARGUMENT", "berth run needs a command to run", { hint: "Example: berth run -d --name web busybox httpd -f -p 8080" });
  }
  const mode = parseNetworkMode(opts.networks ?? [], {
    ...(opts.ip === undefined ? {} : { ip: opts.ip }),
    ...(opts.ip6 === undefined ? {} : { ip6: opts.ip6 }),
    ...(opts.mac === undefined ? {} : { mac: opts.mac }),
    ...(opts.aliases === undefined ? {} : { aliases: opts.aliases }),
  });
  for (const e of opts.env ?? []) checkEnvEntry(e);
  const extraHosts = (opts.addHosts ?? []).map(parseAddHost);
  const dns: DnsSettings = {
    servers: (opts.dns ?? []).map((s) => formatIpv4(parseIpv4(s, "DNS server for --dns"))),
    search: (opts.dnsSearch ?? []).map((d) => (d === "." ? d : parseHostname(d))),
    options: (opts.dnsOptions ?? []).map(parseDnsOption),
  };
  if ((dns.servers.length > 0 || dns.search.length > 0 || dns.options.length > 0) && (mode.kind === "container" || mode.kind === "ns")) {
    throw new BerthError("INVALID_ARGUMENT", "--dns options cannot be used with --network container:NAME", {
      hint: "The container shares NAME's network settings",
    });
  }
  const ports: PortRequest[] = (opts.publish ?? []).flatMap(parsePortSpec);
  if (opts.publishAll) {
    for (const e of (opts.expose ?? []).flatMap(parseExpose)) {
      if (!ports.some((p) => p.containerPort === e.port && p.proto === e.proto))
        ports.push({ proto: e.proto, hostIp: ANY_FAMILY, hostPort: 0, containerPort: e.port });
    }
  }
  if (ports.length > 0 && mode.kind !== "bridge") {
    throw new BerthError("INVALID_ARGUMENT", `Ports cannot be published with --network ${mode.kind === "container" ? "container:NAME" : mode.kind}`, {
      hint:
        mode.kind === "host"
          ? "With --network host the container's ports are the host's already; drop -p"
          : "Publish ports on a bridge network container instead",
    });
  }
  return {
    command: [...opts.command],
    ports,
    name: opts.name === undefined ? undefined : parseContainerName(opts.name),
    mode,
    hostname: opts.hostname === undefined ? undefined : parseHostname(opts.hostname),
    rootfs: opts.rootfs,
    dns,
    extraHosts,
  };
}

/**
 * `-e NAME=VALUE`: the name must be non-empty and free of "=", spaces and
 * control characters (the runtime refuses such an environment, and a name
 * with a newline would garble `inspect`); the value may be anything.
 */
function checkEnvEntry(e: string): void {
  const eq = e.indexOf("=");
  const name = eq < 0 ? e : e.slice(0, eq);
  if (eq < 0 || !/^[^=\s\x00-\x1f\x7f]+$/.test(name)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid environment variable "${printable(e)}" for -e`, {
      hint: eq < 0 ? "Write -e NAME=VALUE" : "Write -e NAME=VALUE with a NAME of letters, digits and _ (no spaces or control characters)",
    });
  }
}

function parseAddHost(text: string): ExtraHost {
  const colon = text.indexOf(":");
  if (colon <= 0) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid --add-host "${printable(text)}"`, { hint: "Write --add-host NAME:IP" });
  }
  return { name: parseHostname(text.slice(0, colon)), ip: formatIpv4(parseIpv4(text.slice(colon + 1), "address for --add-host")) };
}

function parseDnsOption(text: string): string {
  if (!/^[a-z][a-z0-9_-]*(:[0-9]+)?$/i.test(text)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid --dns-option "${printable(text)}"`, { hint: "Write resolver options like ndots:2 or edns0" });
  }
  return text;
}
