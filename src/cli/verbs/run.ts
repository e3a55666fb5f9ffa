import { publishWarnings } from "../../engine/publish-warnings.js";
import { planRun } from "../../engine/run-options.js";
import type { Command } from "commander";
import { describeForeignDropPolicy, runContainer, type RunOptions } from "../../engine/index.js";
import { dryRunContainer, renderPlan } from "../../engine/dry-run/index.js";
import { withEngine } from "../with-engine.js";
import { collect } from "../collect.js";

interface RunFlags {
  dryRun?: boolean;
  detach?: boolean;
  name?: string;
  network?: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
  networkAlias?: string[];
  hostname?: string;
  rm?: boolean;
  rootfs?: string;
  hostHome?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("Run a command in a new container")
    .argument("<command...>", "the command and its arguments (passed unchanged)")
    .passThroughOptions()
    .option("-d, --detach", "run in the background and print the container id")
    .option("--name <name>", "container name")
    .option("--network <mode>", "bridge | host | none | container:NAME | NET[,NET...] (repeatable)", collect)
    .option("--ip <ip>", "static IPv4 address on the (single) network")
    .option("--ip6 <ip>", "static IPv6 address on the (single) network")
    .option("--mac-address <mac>", "static MAC address on the (single) network")
    .option("--network-alias <name>", "extra DNS name on the networks", collect)
    .option("-h, --hostname <name>", "container hostname")
    .option("--rm", "remove the container when it exits")
    .option("--rootfs <dir>", "root filesystem directory (default: the host's, read-only, secrets masked)")
    .option("--host-home", "with the host's root filesystem: show the host's /home too (read-only)")
    .option("--dns <ip>", "DNS server for the container", collect)
    .option("--dns-search <domain>", "DNS search domain", collect)
    .option("--dns-option <opt>", "resolv.conf option", collect)
    .option("--add-host <name:ip>", "extra /etc/hosts entry", collect)
    .option("-i, --interactive", "keep stdin open")
    .option("-t, --tty", "allocate a terminal")
    .option("-e, --env <k=v>", "environment variable", collect)
    .option("-p, --publish <spec>", "publish a port: [HOSTIP:][HOSTPORT:]CPORT[/tcp|/udp], HOSTIP an IPv4 address or [IPv6]; without one, on 0.0.0.0 and :: (repeatable)", collect)
    .option("-P, --publish-all", "publish every --expose port on a random host port")
    .option("--expose <port>", "declare a port the container listens on: PORT[/proto] (repeatable)", collect)
    .option("--dry-run", "print the planned changes (namespace, veths, addresses, routes, nft elements, DNS) and change nothing")
    .helpOption("--help", "display help for command")
    .action(async (command: string[], f: RunFlags) => {
      const opts: RunOptions = {
        command,
        detach: f.detach ?? false,
        autoRemove: f.rm ?? false,
        networks: f.network ?? [],
        aliases: f.networkAlias ?? [],
        dns: f.dns ?? [],
        dnsSearch: f.dnsSearch ?? [],
        dnsOptions: f.dnsOption ?? [],
        addHosts: f.addHost ?? [],
        tty: f.tty ?? false,
        interactive: f.interactive ?? false,
        env: f.env ?? [],
        publish: f.publish ?? [],
        publishAll: f.publishAll ?? false,
        expose: f.expose ?? [],
        ...(f.name === undefined ? {} : { name: f.name }),
        ...(f.ip === undefined ? {} : { ip: f.ip }),
        ...(f.ip6 === undefined ? {} : { ip6: f.ip6 }),
        ...(f.macAddress === undefined ? {} : { mac: f.macAddress }),
        ...(f.hostname === undefined ? {} : { hostname: f.hostname }),
        ...(f.rootfs === undefined ? {} : { rootfs: f.rootfs }),
        ...(f.hostHome ? { hostHome: true } : {}),
      };
      if (f.dryRun) {
        await withEngine((e) => process.stdout.write(renderPlan("run", dryRunContainer(e, opts))));
        return;
      }
      const r = await withEngine(async (e) => {
        if ((opts.publish?.length ?? 0) > 0 || opts.publishAll) {
          for (const w of e.firewall.foreignDropPolicies()) process.stderr.write(`Warning: ${describeForeignDropPolicy(w)}\n`);
        }
        for (const w of publishWarnings(e, planRun(opts))) process.stderr.write(`Warning: ${w}\n`);
        return runContainer(e, opts);
      });
      if (opts.detach) process.stdout.write(`${r.container.id}\n`);
      else process.exitCode = r.exitCode ?? 0;
    });
}
