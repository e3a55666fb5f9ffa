import type { Command } from "commander";
import {
  type ContainerListEntry,
  containerLogs,
  containerView,
  dryRunRemove,
  execContainer,
  findContainer,
  findNetwork,
  listContainers,
  networkView,
  ownContainerIds,
  removeContainer,
  renderPlan,
  stopContainer,
} from "../../engine/index.js";
import { collect } from "../collect.js";
import { parsePsFilters, psFilterMatches, psStatus } from "../ps-filter.js";
import { killWarning, parseTimeout } from "./lifecycle.js";
import { BerthError } from "../../errors.js";
import { withEngine } from "../with-engine.js";
import { ago, printJson, table } from "../output.js";
import { formatTemplate } from "../template/index.js";
import { PS_TARGET, psRow, statusText } from "../ps-row.js";
import { containerInspectData } from "../inspect-struct.js";
import { INSPECT_TARGET, networkRow } from "../network-row.js";
import { meansHost, printHostInfo } from "./system-info.js";
import { setExitCode } from "../exit-status.js";

export function registerContainers(program: Command): void {
  program
    .command("ps")
    .description("List containers")
    .option("-a, --all", "include exited containers")
    .option("-q, --quiet", "print only ids")
    .option(
      "--format <format>",
      "json, or a Go template per container with Podman's fields ({{.Names}} {{.ID}} {{.Status}} {{.Ports}}...; `table ...` adds a header)",
    )
    .option("--no-trunc", "do not truncate ids")
    .option(
      "-f, --filter <key=value>",
      "name=REGEX, network=NAME, status=created|running|exited, label=KEY[=VALUE], id=PREFIX (repeatable: a key given twice matches either value)",
      collect,
    )
    .action(async (f: { all?: boolean; quiet?: boolean; format?: string; trunc?: boolean; filter?: string[] }) => {
      const filters = parsePsFilters(f.filter ?? []);
      await withEngine((e) => {
        // as Podman: a status filter looks at every container
        const all = (f.all ?? false) || filters.some((x) => x.key === "status");
        const entries = listContainers(e, { all }).filter(({ container: c, labels }) =>
          psFilterMatches(filters, {
            name: c.name,
            id: c.id,
            networks: c.networks.map((n) => n.network),
            status: psStatus(c),
            labels,
          }),
        );
        const list = entries.map((x) => x.container);
        const id = (s: string) => (f.trunc === false ? s : s.slice(0, 12));
        if (f.quiet) process.stdout.write(list.map((c) => `${id(c.id)}\n`).join(""));
        else if (f.format === "json") printJson(list.map((c) => containerView(e, c)));
        else if (f.format)
          process.stdout.write(
            formatTemplate(
              f.format,
              entries.map((x) => psRow(x.container, psFacts(x, f.trunc === false))),
              PS_TARGET,
            ),
          );
        else {
          const rows = entries.map(({ container: c, ports }) => [id(c.id), truncate(c.command.join(" "), 20), ago(c.created), statusText(c), ports, c.name]);
          process.stdout.write(table(["CONTAINER ID", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows));
        }
      });
    });

  program
    .command("inspect")
    .description("Show containers (or networks) in detail; `berth inspect host` shows the host (as `berth system info`)")
    .argument("<name...>")
    .option("-f, --format <template>", "Go template, e.g. '{{.NetworkSettings.IPAddress}}'")
    .action(async (names: string[], f: { format?: string }) => {
      await withEngine((e) => {
        if (meansHost(e, names)) return printHostInfo(e, f.format);
        const views = names.map((n) => {
          const c = findContainer(e, n);
          if (c) return containerView(e, c);
          const net = findNetwork(e, n);
          if (net) return networkView(e, net);
          throw new BerthError("CONTAINER_NOT_FOUND", `No container or network named "${n}"`, { hint: "List them with `berth ps -a` and `berth network ls`" });
        });
        if (f.format === "json" || !f.format) printJson(views);
        else
          process.stdout.write(
            formatTemplate(
              f.format,
              views.map((v) => ("Id" in v ? containerInspectData(v) : networkRow(v, { list: false }))),
              INSPECT_TARGET,
            ),
          );
      });
    });

  program
    .command("exec")
    .description("Run a command in a running container")
    .argument("<container>")
    .argument("<command...>")
    .passThroughOptions()
    .option("-i, --interactive", "keep stdin open")
    .option("-t, --tty", "allocate a terminal")
    .option("-e, --env <k=v>", "environment variable", (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .action(async (name: string, command: string[], f: { interactive?: boolean; tty?: boolean; env?: string[] }) => {
      const code = await withEngine((e) =>
        execContainer(e, name, command, { tty: f.tty ?? false, interactive: f.interactive ?? false, ...(f.env ? { env: f.env } : {}) }),
      );
      setExitCode(code);
    });

  program
    .command("logs")
    .description("Print a container's output")
    .argument("<container>")
    .option("-f, --follow", "keep printing new output until the container exits")
    .option("-n, --tail <lines>", "print only the last N lines (-1: all)")
    .action(async (name: string, f: { follow?: boolean; tail?: string }) => {
      const tail = f.tail === undefined ? -1 : Number(f.tail);
      if (!Number.isInteger(tail) || tail < -1)
        throw new BerthError("INVALID_ARGUMENT", `Invalid --tail "${f.tail ?? ""}"`, { hint: "Give a number of lines, or -1 for all" });
      await withEngine((e) => containerLogs(e, name, { tail, follow: f.follow ?? false, write: (text) => process.stdout.write(text) }));
    });

  program
    .command("stop")
    .description("Stop running containers (SIGTERM, then SIGKILL after the timeout)")
    .argument("<container...>")
    .option("-t, --time <seconds>", "seconds to wait before killing", "10")
    .action(async (names: string[], f: { time: string }) => {
      const t = parseTimeout(f.time);
      await withEngine(async (e) => {
        // as Podman: say why it took the whole timeout
        for (const n of names) process.stdout.write(`${(await stopContainer(e, n, t, { onKill: killWarning(t) })).name}\n`);
      });
    });

  program
    .command("rm")
    .description("Remove containers")
    .argument("[container...]")
    .option("-f, --force", "kill running containers first")
    .option("-a, --all", "remove every container Berth runs (not those Podman or a CNI runtime own)")
    .option("--dry-run", "print the planned changes and change nothing")
    .action(async (given: string[], f: { force?: boolean; dryRun?: boolean; all?: boolean }) => {
      await withEngine(async (e) => {
        const names = f.all ? ownContainerIds(e) : given;
        if (names.length === 0 && !f.all)
          throw new BerthError("INVALID_ARGUMENT", "berth rm needs a container name, or --all", { hint: "Example: berth rm -f web, or berth rm -a -f" });
        if (f.dryRun) {
          process.stdout.write(renderPlan("rm", await dryRunRemove(e, names, f.force ?? false, f.all ?? false)));
          return;
        }
        for (const n of names) {
          // with --all, one removed with the container whose namespace it shared is gone already
          if (f.all && !findContainer(e, n)) continue;
          process.stdout.write(`${(await removeContainer(e, n, { force: f.force ?? false })).id}\n`);
        }
      });
    });
}

/** What `ps` shows of a container beyond its record. */
function psFacts(x: ContainerListEntry, noTrunc: boolean) {
  return {
    ports: x.ports,
    networks: x.container.networks.map((n) => n.network),
    mounts: [...x.volumes],
    labels: x.labels,
    image: x.container.rootfs ?? "/",
    noTrunc,
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}
