import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { dryRunContainer, findContainer, parseEnvFile, removeContainer, renderPlan, runContainer, type RunOptions, runWarnings } from "../../engine/index.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { collect } from "../collect.js";
import { setExitCode } from "../exit-status.js";

interface RunFlags {
  dryRun?: boolean;
  detach?: boolean;
  name?: string;
  network?: string[];
  net?: string[];
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
  envFile?: string[];
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  volume?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  sysctl?: string[];
  label?: string[];
  init?: boolean;
  replace?: boolean;
  restart?: string;
}

/** The flags `run` and `create` share (Podman's names). */
function addContainerOptions(cmd: Command): Command {
  return cmd
    .argument("[command...]", "the command and its arguments (passed unchanged)")
    .passThroughOptions()
    .option("--name <name>", "container name")
    .option("--network <mode>", "bridge | host | none | container:NAME | ns:PATH | NET[,NET...] (repeatable)", collect)
    .option("--net <mode>", "the same as --network", collect)
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
    .option("--env-file <file>", "read KEY=VALUE lines from a file (repeatable)", collect)
    .option(
      "-p, --publish <spec>",
      "publish a port: [HOSTIP:][HOSTPORT:]CPORT[/tcp|/udp], HOSTIP an IPv4 address or [IPv6]; without one, on 0.0.0.0 and :: (repeatable)",
      collect,
    )
    .option("-P, --publish-all", "publish every --expose port on a random host port")
    .option("--expose <port>", "declare a port the container listens on: PORT[/proto] (repeatable)", collect)
    .option("-w, --workdir <dir>", "working directory inside the container")
    .option("-u, --user <user>", "UID[:GID] or NAME[:GROUP] to run as")
    .option("--entrypoint <program>", "program to run, with the command as its arguments")
    .option("-v, --volume <HOST:CTR[:ro]>", "bind-mount a host directory or file (repeatable)", collect)
    .option("--cap-add <cap>", "add a capability (e.g. NET_ADMIN, ALL)", collect)
    .option("--cap-drop <cap>", "drop a capability (e.g. CHOWN, ALL)", collect)
    .option("--privileged", "all capabilities, no masked /proc paths")
    .option("--sysctl <net.KEY=VALUE>", "set a net.* sysctl in the container's network namespace (repeatable)", collect)
    .option("--label <key=value>", "label the container (repeatable)", collect)
    .option("--init", "run catatonit as PID 1: it reaps zombies and forwards signals")
    .option("--replace", "remove a container of the same name first")
    .option("--restart <policy>", "no | on-failure[:N] | always: start it again when it exits (supervised by conmon)")
    .helpOption("--help", "display help for command");
}

/** Turn parsed flags into the engine's options. */
function runOptionsOf(command: string[], f: RunFlags, detach: boolean): RunOptions {
  const env = [...(f.envFile ?? []).flatMap((file) => parseEnvFile(readEnvFile(file))), ...(f.env ?? [])];
  const cmd = f.entrypoint === undefined ? command : [f.entrypoint, ...command];
  return {
    command: cmd,
    detach,
    autoRemove: f.rm ?? false,
    networks: [...(f.network ?? []), ...(f.net ?? [])],
    aliases: f.networkAlias ?? [],
    dns: f.dns ?? [],
    dnsSearch: f.dnsSearch ?? [],
    dnsOptions: f.dnsOption ?? [],
    addHosts: f.addHost ?? [],
    tty: f.tty ?? false,
    interactive: f.interactive ?? false,
    env,
    publish: f.publish ?? [],
    publishAll: f.publishAll ?? false,
    expose: f.expose ?? [],
    process: {
      ...(f.workdir === undefined ? {} : { workdir: f.workdir }),
      ...(f.user === undefined ? {} : { user: f.user }),
      ...(f.restart === undefined ? {} : { restart: f.restart }),
      volumes: f.volume ?? [],
      capAdd: f.capAdd ?? [],
      capDrop: f.capDrop ?? [],
      privileged: f.privileged ?? false,
      sysctls: f.sysctl ?? [],
      labels: f.label ?? [],
      init: f.init ?? false,
    },
    ...(f.name === undefined ? {} : { name: f.name }),
    ...(f.ip === undefined ? {} : { ip: f.ip }),
    ...(f.ip6 === undefined ? {} : { ip6: f.ip6 }),
    ...(f.macAddress === undefined ? {} : { mac: f.macAddress }),
    ...(f.hostname === undefined ? {} : { hostname: f.hostname }),
    ...(f.rootfs === undefined ? {} : { rootfs: f.rootfs }),
    ...(f.hostHome ? { hostHome: true } : {}),
  };
}

function readEnvFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot read --env-file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      hint: "Give the path of a readable file of KEY=VALUE lines",
    });
  }
}

export function registerRun(program: Command): void {
  addContainerOptions(program.command("run").description("Run a command in a new container"))
    .option("-d, --detach", "run in the background and print the container id")
    .option("--dry-run", "print the planned changes (namespace, veths, addresses, routes, nft elements, DNS) and change nothing")
    .action(async (command: string[], f: RunFlags) => {
      const opts = runOptionsOf(command, f, f.detach ?? false);
      if (f.dryRun) {
        await withEngine(async (e) => process.stdout.write(renderPlan("run", await dryRunContainer(e, opts))));
        return;
      }
      const r = await withEngine(async (e) => {
        for (const w of runWarnings(e, opts)) process.stderr.write(`Warning: ${w}\n`);
        if (f.replace && opts.name !== undefined && findContainer(e, opts.name)?.name === opts.name) await removeContainer(e, opts.name, { force: true });
        return runContainer(e, opts);
      });
      if (opts.detach) process.stdout.write(`${r.container.id}\n`);
      else setExitCode(r.exitCode ?? 0);
    });

  addContainerOptions(program.command("create").description("Create a container without starting it (start it with `berth start`)")).action(
    async (command: string[], f: RunFlags) => {
      const opts = { ...runOptionsOf(command, f, true), createOnly: true };
      const r = await withEngine(async (e) => {
        if (f.replace && opts.name !== undefined && findContainer(e, opts.name)?.name === opts.name) await removeContainer(e, opts.name, { force: true });
        return runContainer(e, opts);
      });
      process.stdout.write(`${r.container.id}\n`);
    },
  );
}
