import type { Command } from "commander";
import {
  connectNetwork,
  createNetwork,
  disconnectNetwork,
  dryRunConnect,
  dryRunDisconnect,
  dryRunNetworkCreate,
  type Engine,
  findNetwork,
  listNetworks,
  type NetworkCreateOptions,
  networkOwner,
  networkView,
  pruneNetworks,
  removeNetwork,
  renderPlan,
  requireNetwork,
} from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { collect, keyValues } from "../collect.js";
import { printJson, table } from "../output.js";
import { formatTemplate } from "../template/index.js";
import { INSPECT_TARGET, NETWORK_LS_TARGET, networkRow } from "../network-row.js";
import { setExitCode } from "../exit-status.js";

interface CreateFlags {
  dryRun?: boolean;
  subnet?: string[];
  gateway?: string[];
  ipv6?: boolean;
  ipRange?: string;
  internal?: boolean;
  disableDns?: boolean;
  opt?: string[];
  label?: string[];
  interfaceName?: string;
  dns?: string[];
  driver?: string;
  ignore?: boolean;
}

export function registerNetwork(program: Command): void {
  const network = program.command("network").description("Manage networks");

  network
    .command("create")
    .description("Create a bridge or macvlan network")
    .argument("[name]", "network name (default: generated)")
    .option(
      "--subnet <cidr>",
      "subnet, e.g. 10.89.1.0/24 or fd00:89:1::/64; once per family (default: a free IPv4 /24; an IPv6 subnet alone makes an IPv6-only network)",
      collect,
    )
    .option("--gateway <ip>", "gateway address on the bridge, once per family (default: first address)", collect)
    .option("--ipv6", "give the network an IPv6 subnet too (default: a free unique local /64)")
    .option("--ip-range <cidr>", "allocate container addresses from this sub-range")
    .option("--internal", "no traffic in or out of the network's bridge")
    .option("--disable-dns", "no name resolution on this network")
    .option(
      "-o, --opt <key=value>",
      "driver option: mtu=N, isolate=true|false (bridge); parent=IFACE, mode=bridge|private|vepa|passthru|source, host_shim=true (macvlan)",
      collect,
    )
    .option("--label <key=value>", "label", collect)
    .option("--interface-name <name>", "bridge interface name")
    .option("--dns <ip>", "upstream DNS server for containers on this network", collect)
    .option("-d, --driver <driver>", "network driver: bridge or macvlan", "bridge")
    .option("--ignore", "do not fail if the network exists")
    .option("--dry-run", "print the planned changes (state, nft) and change nothing")
    .action(async (name: string | undefined, flags: CreateFlags) => {
      if (flags.driver !== "bridge" && flags.driver !== "macvlan") {
        throw new BerthError("INVALID_ARGUMENT", `Unsupported network driver "${flags.driver ?? ""}"`, {
          hint: "Use --driver bridge, or --driver macvlan --opt parent=IFACE",
        });
      }
      const driver = flags.driver;
      const create = flags.dryRun
        ? async (e: Engine, o: NetworkCreateOptions) => {
            process.stdout.write(renderPlan("network create", await dryRunNetworkCreate(e, o)));
            return undefined;
          }
        : createNetwork;
      const n = await withEngine((e) =>
        create(e, {
          name: name ?? `network${Date.now().toString(36)}`,
          ...(flags.subnet === undefined ? {} : { subnet: flags.subnet }),
          ...(flags.gateway === undefined ? {} : { gateway: flags.gateway }),
          ipv6: flags.ipv6 ?? false,
          driver,
          ...(flags.ipRange === undefined ? {} : { ipRange: flags.ipRange }),
          internal: flags.internal ?? false,
          disableDns: flags.disableDns ?? false,
          options: keyValues(flags.opt, "--opt"),
          labels: keyValues(flags.label, "--label"),
          ...(flags.interfaceName === undefined ? {} : { interfaceName: flags.interfaceName }),
          dnsServers: flags.dns ?? [],
          ignoreExisting: flags.ignore ?? false,
        }),
      );
      if (n) process.stdout.write(`${n.name}\n`);
    });

  network
    .command("ls")
    .alias("list")
    .description("List networks")
    .option("--format <format>", "json, or a Go template per network with Podman's fields ({{.Name}} {{.ID}} {{.Driver}}...; `table ...` adds a header)")
    .option("-q, --quiet", "print only names")
    .option("--no-trunc", "do not truncate ids")
    .action(async (flags: { format?: string; quiet?: boolean; trunc?: boolean }) => {
      await withEngine((e) => {
        const nets = listNetworks(e);
        if (flags.quiet) process.stdout.write(nets.map((n) => `${n.name}\n`).join(""));
        else if (flags.format === "json") printJson(nets.map((n) => networkView(e, n)));
        else if (flags.format)
          process.stdout.write(
            formatTemplate(
              flags.format,
              nets.map((n) => networkRow(networkView(e, n), { list: true, noTrunc: flags.trunc === false })),
              NETWORK_LS_TARGET,
            ),
          );
        else
          process.stdout.write(
            table(
              ["NETWORK ID", "NAME", "DRIVER"],
              nets.map((n) => [n.id.slice(0, 12), n.name, n.driver]),
            ),
          );
      });
    });

  network
    .command("inspect")
    .description("Show networks in detail (JSON)")
    .argument("<name...>")
    .option("-f, --format <template>", "Go template applied to each network")
    .action(async (names: string[], flags: { format?: string }) => {
      await withEngine((e) => {
        const views = names.map((n) => networkView(e, requireNetwork(e, n)));
        if (flags.format === "json" || !flags.format) printJson(views);
        else
          process.stdout.write(
            formatTemplate(
              flags.format,
              views.map((v) => networkRow(v, { list: false })),
              INSPECT_TARGET,
            ),
          );
      });
    });

  network
    .command("rm")
    .alias("remove")
    .description("Remove networks")
    .argument("<name...>")
    .option("-f, --force", "also remove the containers that use it (and a network Docker made with Berth's driver that dockerd no longer has)")
    .action(async (names: string[], flags: { force?: boolean }) => {
      await withEngine(async (e) => {
        for (const n of names) {
          const removed = await removeNetwork(e, n, { force: flags.force ?? false });
          // forced for Docker's network (dockerd no longer has it): its DOCKER-USER rules go with it, as with `docker network rm`
          if (networkOwner(removed)?.owner === "docker") {
            const { closeDockerUserChain } = await import("../../interop/docker/docker-user-chain.js");
            await closeDockerUserChain(removed.bridge);
          }
          process.stdout.write(`${removed.name}\n`);
        }
      });
    });

  network
    .command("prune")
    .description("Remove all networks no container uses")
    .option("-f, --force", "do not ask for confirmation")
    .action(async () => {
      const removed = await withEngine((e) => pruneNetworks(e));
      process.stdout.write(removed.map((n) => `${n.name}\n`).join(""));
    });

  network
    .command("exists")
    .description("Exit 0 if the network exists, 1 if not")
    .argument("<name>")
    .action(async (name: string) => {
      const found = await withEngine((e) => findNetwork(e, name) !== undefined, { repair: false });
      setExitCode(found ? 0 : 1);
    });

  network
    .command("connect")
    .description("Connect a running container to a network")
    .argument("<network>")
    .argument("<container>")
    .option("--ip <ip>", "static IPv4 address")
    .option("--ip6 <ip>", "static IPv6 address")
    .option("--mac-address <mac>", "static MAC address")
    .option("--alias <name>", "extra DNS name on this network", collect)
    .option("--dry-run", "print the planned changes (lease, veth, addresses, routes, DNS) and change nothing")
    .action(async (net: string, ctr: string, flags: { ip?: string; ip6?: string; macAddress?: string; alias?: string[]; dryRun?: boolean }) => {
      const opts = {
        ...(flags.ip === undefined ? {} : { ip: flags.ip }),
        ...(flags.ip6 === undefined ? {} : { ip6: flags.ip6 }),
        ...(flags.macAddress === undefined ? {} : { mac: flags.macAddress }),
        aliases: flags.alias ?? [],
      };
      await withEngine(async (e) => {
        if (flags.dryRun) process.stdout.write(renderPlan("network connect", await dryRunConnect(e, net, ctr, opts)));
        else await connectNetwork(e, net, ctr, opts);
      });
    });

  network
    .command("disconnect")
    .description("Disconnect a container from a network")
    .argument("<network>")
    .argument("<container>")
    .option("-f, --force", "disconnect even if the container is not running")
    .option("--dry-run", "print the planned changes and change nothing")
    .action(async (net: string, ctr: string, flags: { dryRun?: boolean }) => {
      await withEngine(async (e) => {
        if (flags.dryRun) process.stdout.write(renderPlan("network disconnect", await dryRunDisconnect(e, net, ctr)));
        else await disconnectNetwork(e, net, ctr);
      });
    });
}
