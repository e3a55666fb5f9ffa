import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { dnsDir } from "../../paths.js";
import { netnsDirRelease } from "../../kernel/index.js";
import { NETNS_PREFIX, VETH_PREFIX } from "../network/names.js";
import { isBerthBridge } from "../network/bridge-mark.js";
import { messageOf } from "../../errors.js";
import { journalPath, zonePath } from "../sync/dns-sync.js";
import { resolverPid } from "../../dns/index.js";

/**
 * `berth system reset -f`: remove everything Berth made on this host:
 * containers (killed), veths, bridges, namespaces, the nft table, the DNS
 * resolver, and the state. Returns what could not be removed.
 */
export async function resetSystem(engine: Engine): Promise<string[]> {
  const problems: string[] = [];
  const note = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${messageOf(e)}`);
    }
  };
  const containers = engine.store.containers.list();
  for (const c of containers) {
    if (c.managedBy !== undefined) continue;
    try {
      await engine.runtime.delete(c.id, { force: true });
    } catch (e) {
      problems.push(`stop container ${c.name}: ${messageOf(e)}`);
    }
  }
  // the state goes away below: give each monitor time to finish its exit command first
  for (const c of containers) {
    if (c.managedBy !== undefined) continue;
    if (!(await engine.runtime.waitMonitorGone(c.id))) problems.push(`the monitor (conmon) of container ${c.name} is still running`);
  }
  const h = engine.host;
  // the bridges Berth made: marked or named berthN, and those of its networks (made before the mark);
  // never one a network found on the host
  const networks = engine.store.networks.list();
  const made = new Set(networks.filter((n) => !n.bridgeExternal).map((n) => n.bridge));
  const external = new Set(networks.filter((n) => n.bridgeExternal).map((n) => n.bridge));
  for (const link of h.linkList()) {
    if (
      (link.kind === "veth" && link.name.startsWith(VETH_PREFIX)) ||
      (link.kind === "bridge" && !external.has(link.name) && (made.has(link.name) || isBerthBridge(link)))
    ) {
      note(`delete ${link.name}`, () => h.linkRemove(link.name));
    }
  }
  if (existsSync(engine.paths.netnsDir)) {
    for (const f of readdirSync(engine.paths.netnsDir)) {
      if (f.startsWith(NETNS_PREFIX)) note(`delete namespace ${f}`, () => engine.kernel.netnsDelete(join(engine.paths.netnsDir, f)));
    }
  }
  note("release the namespace directory", () => netnsDirRelease(engine.paths.netnsDir));
  note("delete nft table inet berth", () => engine.firewall.reset());
  // an empty zone makes the resolver exit by itself
  note("stop the DNS resolver", () => {
    const file = zonePath(engine);
    mkdirSync(dnsDir(engine.paths), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ version: 1, networks: [] }));
    renameSync(`${file}.tmp`, file);
    rmSync(journalPath(engine), { force: true });
  });
  await stopResolver(engine);
  engine.close();
  note("remove state", () => rmSync(engine.paths.stateDir, { recursive: true, force: true }));
  note("remove runtime files", () => rmSync(engine.paths.runDir, { recursive: true, force: true }));
  return problems;
}

/** SIGTERM the resolver daemon (if any) and wait up to a second for it to go. */
async function stopResolver(engine: Engine): Promise<void> {
  const pid = resolverPid(engine.paths);
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 50 && resolverPid(engine.paths) === pid; i++) await new Promise((r) => setTimeout(r, 20));
}
