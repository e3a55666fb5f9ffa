// The invariant of the model-based test: after every command the store
// matches the model, and the live kernel, the nft table and the resolver
// match the store. Nothing leaked, nothing missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import { berthLinks, containerNet, loadedSerial, netnsFiles, nftInventory, processesMentioning, publishedZone, resolverPid } from "../kernel-inventory.js";
import { netSpec, portSpec, type BerthModel, type PortModel } from "./model.js";

interface StoredNetwork {
  id: string;
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: number;
  dns_enabled: number;
  isolate: number;
}
interface StoredContainer {
  id: string;
  name: string;
  status: string;
  netns: string | null;
}
interface StoredAttachment {
  container_id: string;
  network_id: string;
  ifname: string;
  host_veth: string;
  ip: string;
  aliases: string;
}
interface StoredPort {
  container_id: string;
  proto: string;
  host_ip: string;
  host_port: number;
  container_port: number;
}

export interface StoreView {
  readonly networks: StoredNetwork[];
  readonly containers: StoredContainer[];
  readonly attachments: StoredAttachment[];
  readonly ports: StoredPort[];
}

/** The state database as it is on disk (read-only; another process may be writing). */
export function readStore(root: string): StoreView {
  const db = new Database(join(root, "lib", "berth.db"), { readonly: true, fileMustExist: true });
  try {
    return {
      networks: db.prepare("SELECT * FROM networks ORDER BY name").all() as StoredNetwork[],
      containers: db.prepare("SELECT * FROM containers ORDER BY name").all() as StoredContainer[],
      attachments: db.prepare("SELECT * FROM attachments ORDER BY container_id, ifname").all() as StoredAttachment[],
      ports: db.prepare("SELECT * FROM ports").all() as StoredPort[],
    };
  } finally {
    db.close();
  }
}

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();

/**
 * Compare the store with the model (learning the addresses the store leased
 * for attachments without a static one), then the kernel with the store.
 * Throws an AssertionError naming the first difference.
 */
export function checkSystem(root: string, model: BerthModel): void {
  const s = readStore(root);
  const netById = new Map(s.networks.map((n) => [n.id, n]));
  const ctrById = new Map(s.containers.map((c) => [c.id, c]));

  // --- the store against the model
  assert.deepEqual(sorted(s.networks.map((n) => n.name)), sorted(model.networks), "networks in the store");
  assert.deepEqual(sorted(s.containers.map((c) => c.name)), sorted(model.containers.keys()), "containers in the store");
  for (const c of s.containers) {
    assert.equal(c.status, "running", `container ${c.name} is running`);
    const m = model.containers.get(c.name);
    if (!m) continue;
    const atts = s.attachments.filter((a) => a.container_id === c.id);
    assert.deepEqual(sorted(atts.map((a) => netById.get(a.network_id)?.name)), sorted(m.attachments.map((a) => a.net)), `networks of ${c.name}`);
    for (const want of m.attachments) {
      const got = atts.find((a) => netById.get(a.network_id)?.name === want.net);
      if (!got) continue;
      if (want.ip === undefined) want.ip = got.ip;
      else assert.equal(got.ip, want.ip, `address of ${c.name} on ${want.net}`);
      assert.deepEqual(sorted(JSON.parse(got.aliases) as string[]), sorted(want.aliases), `aliases of ${c.name} on ${want.net}`);
    }
    const ports = s.ports
      .filter((p) => p.container_id === c.id)
      .map((p) =>
        portSpec({ proto: p.proto as PortModel["proto"], hostIp: p.host_ip as PortModel["hostIp"], hostPort: p.host_port, containerPort: p.container_port }),
      );
    assert.deepEqual(sorted(ports), sorted(m.ports.map(portSpec)), `published ports of ${c.name}`);
  }
  for (const n of s.networks) {
    const spec = netSpec(n.name);
    assert.equal(n.subnet, spec.subnet, `subnet of ${n.name}`);
    const ips = s.attachments.filter((a) => a.network_id === n.id).map((a) => a.ip);
    assert.equal(new Set(ips).size, ips.length, `addresses on ${n.name} are unique: ${ips.join(" ")}`);
    assert.ok(!ips.includes(n.gateway), `no container holds the gateway of ${n.name}`);
  }

  // --- the kernel against the store
  const links = berthLinks();
  const veths = links.filter((l) => l.name.startsWith("bth"));
  assert.deepEqual(sorted(veths.map((l) => l.name)), sorted(s.attachments.map((a) => a.host_veth)), "host veth ends = attachments");
  for (const a of s.attachments) {
    const v = veths.find((l) => l.name === a.host_veth);
    assert.equal(v?.master, netById.get(a.network_id)?.bridge, `veth ${a.host_veth} is a port of its network's bridge`);
  }
  const bridgesInUse = s.networks.filter((n) => s.attachments.some((a) => a.network_id === n.id)).map((n) => n.bridge);
  assert.deepEqual(sorted(links.filter((l) => l.kind === "bridge").map((l) => l.name)), sorted(bridgesInUse), "bridges = networks with containers");
  assert.deepEqual(netnsFiles(root), sorted(s.containers.map((c) => basename(c.netns ?? ""))), "namespace files = containers");

  const onNet = new Map<string, string[]>();
  for (const c of s.containers) {
    if (!c.netns) continue;
    const k = containerNet(c.netns);
    const atts = s.attachments.filter((a) => a.container_id === c.id);
    const want = atts.map((a) => `${a.ifname} ${a.ip}/${(netById.get(a.network_id)?.subnet ?? "/?").split("/")[1] ?? "?"}`);
    const got = k.ifaces.map((i) => `${i.name} ${i.ipv4.join(",")}`);
    assert.deepEqual(sorted(got), sorted(want), `interfaces inside ${c.name}`);
    for (const i of k.ifaces) for (const ip of i.ipv4) onNet.set(ip, [...(onNet.get(ip) ?? []), c.name]);
    const routed = atts.filter((a) => netById.get(a.network_id)?.internal === 0);
    if (routed.length === 0) assert.equal(k.defaultRoute, undefined, `${c.name} has no default route (only internal networks)`);
    else {
      const via = routed.find((a) => a.ifname === k.defaultRoute?.dev);
      assert.ok(
        via && k.defaultRoute?.via === netById.get(via.network_id)?.gateway,
        `${c.name} routes through the gateway of one of its networks (${JSON.stringify(k.defaultRoute)})`,
      );
    }
  }
  for (const [ip, holders] of onNet) assert.equal(holders.length, 1, `${ip} is configured once, not in ${holders.join(" and ")}`);

  // the table is made with the first network
  const nft = nftInventory() ?? { sets: new Map<string, string[]>(), dnat: [], elements: 0 };
  const set = (name: string) => nft.sets.get(name) ?? [];
  assert.deepEqual(set("bridges"), sorted(s.networks.map((n) => n.bridge)), "nft set bridges");
  assert.deepEqual(set("internal_bridges"), sorted(s.networks.filter((n) => n.internal).map((n) => n.bridge)), "nft set internal_bridges");
  assert.deepEqual(
    set("isolated_bridges"),
    sorted(s.networks.filter((n) => n.isolate && !n.internal).map((n) => n.bridge)),
    "nft set isolated_bridges (internal ones are stricter)",
  );
  // an interval set merges adjacent prefixes (10.120.0.0/24 + 10.120.1.0/24 = 10.120.0.0/23): compare the ranges covered
  assert.deepEqual(coveredRanges(set("nat_subnets")), coveredRanges(s.networks.filter((n) => !n.internal).map((n) => n.subnet)), "nft set nat_subnets");
  const wantDnat = s.ports.flatMap((p) => {
    const first = s.attachments.filter((a) => a.container_id === p.container_id).sort((x, y) => x.ifname.localeCompare(y.ifname))[0];
    return first ? [`${p.proto} ${p.host_ip}:${p.host_port} -> ${first.ip}:${p.container_port}`] : [];
  });
  assert.deepEqual(nft.dnat, sorted(wantDnat), "published ports in the nft maps (to the address on the first network)");

  // --- the resolver against the store
  const zone = publishedZone(root);
  const wantZone = s.networks
    .filter((n) => n.dns_enabled === 1)
    .map((n) => ({
      name: n.name,
      containers: s.attachments
        .filter((a) => a.network_id === n.id)
        .map(
          (a) =>
            `${ctrById.get(a.container_id)?.name ?? "?"}=${a.ip}${sorted(JSON.parse(a.aliases) as string[])
              .map((x) => `+${x}`)
              .join("")}`,
        )
        .sort(),
    }))
    .filter((n) => n.containers.length > 0);
  const gotZone = (zone?.networks ?? []).map((n) => ({
    name: n.name,
    containers: n.containers
      .map(
        (c) =>
          `${c.name}=${c.ipv4}${sorted(c.aliases)
            .map((x) => `+${x}`)
            .join("")}`,
      )
      .sort(),
  }));
  assert.deepEqual(
    gotZone.sort((a, b) => a.name.localeCompare(b.name)),
    wantZone.sort((a, b) => a.name.localeCompare(b.name)),
    "DNS zone = DNS networks' containers",
  );
  if (wantZone.length > 0) {
    assert.ok(resolverPid(root) !== undefined, "the resolver runs while the zone has names");
    assert.ok(loadedSerial(root) >= (zone?.serial ?? 0), "the resolver serves the latest zone");
  }

  // --- one container monitor per container, no strays
  // (a removed container's monitor runs its exit command before it exits: give it a moment)
  const monitors = () => processesMentioning(root).filter((p) => p.args.startsWith("conmon "));
  const deadline = Date.now() + 5000;
  while (monitors().length !== s.containers.length && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
  assert.equal(
    monitors().length,
    s.containers.length,
    `one conmon per container: ${monitors()
      .map((p) => p.pid)
      .join(" ")}`,
  );

  checkResolution(s, netById, ctrById);
}

function ipNumber(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** The address ranges a list of CIDRs covers, merged: "first-last" texts. */
function coveredRanges(cidrs: readonly string[]): string[] {
  const ranges = cidrs
    .map((c) => {
      if (c.includes("-")) {
        const [first = "", last = ""] = c.split("-");
        return [ipNumber(first), ipNumber(last)] as [number, number];
      }
      const [ip = "", len = "32"] = c.split("/");
      const start = ipNumber(ip);
      return [start, start + 2 ** (32 - Number(len)) - 1] as [number, number];
    })
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged.map(([a, z]) => `${a}-${z}`);
}

/**
 * Ask the resolver for real: on one DNS network with two containers, the
 * first resolves the second's name to its address there; a container on
 * no shared DNS network is not resolvable (no cross-network leak).
 */
function checkResolution(s: StoreView, netById: Map<string, StoredNetwork>, ctrById: Map<string, StoredContainer>): void {
  for (const n of s.networks) {
    if (n.dns_enabled !== 1) continue;
    const atts = s.attachments.filter((a) => a.network_id === n.id);
    const [from, to] = atts;
    if (!from || !to) continue;
    const client = ctrById.get(from.container_id);
    const target = ctrById.get(to.container_id);
    if (!client?.netns || !target) continue;
    assert.deepEqual(lookup(client.netns, n.gateway, `${target.name}.dns.berth`), [to.ip], `${client.name} resolves ${target.name} on ${n.name}`);
    const sharesDns = (cid: string) =>
      s.attachments.some(
        (a) =>
          a.container_id === cid &&
          a.container_id !== client.id &&
          s.attachments.some((b) => b.container_id === client.id && b.network_id === a.network_id && netById.get(a.network_id)?.dns_enabled === 1),
      );
    const stranger = s.containers.find((c) => c.id !== client.id && !sharesDns(c.id));
    if (stranger)
      assert.deepEqual(
        lookup(client.netns, n.gateway, `${stranger.name}.dns.berth`),
        [],
        `${client.name} does not resolve ${stranger.name} (no shared DNS network)`,
      );
    return;
  }
}

/** IPv4 answers of the resolver at `server`, asked from inside a namespace (busybox nslookup). */
function lookup(netns: string, server: string, name: string): string[] {
  const r = spawnSync("nsenter", [`--net=${netns}`, "busybox", "nslookup", "-type=a", name, server], { encoding: "utf8", timeout: 10_000 });
  const answers = r.stdout
    .split(/^Name:/m)
    .slice(1)
    .join("\n");
  return [...answers.matchAll(/^Address:\s*([0-9.]+)$/gm)].map((m) => m[1] ?? "");
}
