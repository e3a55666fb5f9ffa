// Hostile input for Berth's netavark adapter (bin/podman/netavark), called
// as Podman calls it: every bad document, argument or namespace gets
// {"error": "..."} on stdout with a hint, exit code 1, and changes nothing
// (no link, nft element, container row, lease or adopted network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import Database from "better-sqlite3";
import { requireSandbox } from "../helpers.js";
import { BerthSandbox } from "../berth-cli.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const ADAPTER = join(REPO, "bin", "podman", "netavark");
const FIXTURE = JSON.parse(readFileSync(join(REPO, "test", "fixtures", "podman", "setup-port.json"), "utf8")) as Doc;

interface Doc {
  container_id: string;
  container_name: string;
  port_mappings?: Record<string, unknown>[];
  networks: Record<string, Record<string, unknown>>;
  network_info: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

/** The fixture with one change applied (a deep copy each time). */
function doc(change: (d: Doc) => void): string {
  const d = JSON.parse(JSON.stringify(FIXTURE)) as Doc;
  change(d);
  return JSON.stringify(d);
}
const net = (d: Doc) => d.networks["net1"] ?? {};
const info = (d: Doc) => d.network_info["net1"] ?? {};
const port = (d: Doc) => d.port_mappings?.[0] ?? {};

interface Case {
  readonly name: string;
  readonly input: string;
  /** argv after the global options; NETNS is replaced by the test's namespace */
  readonly args?: readonly string[];
  /** a word the error must contain */
  readonly says: RegExp;
}

const CASES: readonly Case[] = [
  { name: "malformed JSON", input: "{", says: /not valid JSON/ },
  { name: "empty input", input: "", says: /not valid JSON/ },
  { name: "an array instead of an object", input: "[]", says: /expected an object/ },
  { name: "missing container_id", input: doc((d) => delete (d as Partial<Doc>).container_id), says: /container_id/ },
  { name: "container id with shell metacharacters", input: doc((d) => (d.container_id = "abc;rm -rf /")), says: /container id/ },
  { name: "container name with a command substitution", input: doc((d) => (d.container_name = "web$(reboot)")), says: /container name/ },
  { name: "container name with a newline", input: doc((d) => (d.container_name = "web\nevil")), says: /container name/ },
  { name: "container name of 300 characters", input: doc((d) => (d.container_name = "w".repeat(300))), says: /container name/ },
  { name: "unicode container name", input: doc((d) => (d.container_name = "wéb")), says: /container name/ },
  { name: "interface name with a path separator", input: doc((d) => (net(d)["interface_name"] = "../eth0")), says: /interface name/ },
  { name: "interface name too long for IFNAMSIZ", input: doc((d) => (net(d)["interface_name"] = "eth0123456789abcdef")), says: /interface name/ },
  { name: "bridge name with shell metacharacters", input: doc((d) => (info(d)["network_interface"] = "podman1;reboot")), says: /bridge name/ },
  {
    name: "network name with a space",
    input: doc((d) => ((d.networks = { "a b": net(d) }), (d.network_info = { "a b": { ...info(d), name: "a b" } }))),
    says: /network name/,
  },
  { name: "network without a network_info entry", input: doc((d) => (d.network_info = {})), says: /network_info/ },
  { name: "network_info entry under another name", input: doc((d) => (info(d)["name"] = "other")), says: /named/ },
  { name: "macvlan driver", input: doc((d) => (info(d)["driver"] = "macvlan")), says: /driver/ },
  { name: "unknown network option", input: doc((d) => (info(d)["options"] = { vlan: "5" })), says: /option "vlan"/ },
  { name: "mtu that is not a number", input: doc((d) => (info(d)["options"] = { mtu: "big" })), says: /mtu/ },
  { name: "subnet with prefix /33", input: doc((d) => (info(d)["subnets"] = [{ subnet: "10.77.0.0/33", gateway: "10.77.0.1" }])), says: /10\.77\.0\.0\/33/ },
  {
    name: "gateway outside the subnet",
    input: doc((d) => (info(d)["subnets"] = [{ subnet: "10.77.0.0/24", gateway: "10.78.0.1" }])),
    says: /outside its subnet/,
  },
  { name: "IPv6 subnet", input: doc((d) => (info(d)["subnets"] = [{ subnet: "fd00::/64", gateway: "fd00::1" }])), says: /IPv6/ },
  { name: "static IP with an octet of 300", input: doc((d) => (net(d)["static_ips"] = ["10.77.0.300"])), says: /10\.77\.0\.300/ },
  { name: "static IP outside the subnet", input: doc((d) => (net(d)["static_ips"] = ["10.99.0.2"])), says: /10\.99\.0\.2/ },
  { name: "static IP that is the gateway", input: doc((d) => (net(d)["static_ips"] = ["10.77.0.1"])), says: /10\.77\.0\.1/ },
  { name: "static IPv6 address", input: doc((d) => (net(d)["static_ips"] = ["fd00::5"])), says: /IPv6/ },
  { name: "MAC with bad hex", input: doc((d) => (net(d)["static_mac"] = "zz:11:22:33:44:55")), says: /MAC/ },
  { name: "multicast MAC", input: doc((d) => (net(d)["static_mac"] = "01:00:5e:00:00:01")), says: /multicast/ },
  { name: "alias with a semicolon", input: doc((d) => (net(d)["aliases"] = ["a;b"])), says: /alias/ },
  { name: "host port 0", input: doc((d) => (port(d)["host_port"] = 0)), says: /host_port/ },
  { name: "host port 70000", input: doc((d) => (port(d)["host_port"] = 70000)), says: /host_port/ },
  { name: "container port as a string", input: doc((d) => (port(d)["container_port"] = "80")), says: /container_port/ },
  { name: "sctp port", input: doc((d) => (port(d)["protocol"] = "sctp")), says: /sctp/ },
  { name: "port range past 65535", input: doc((d) => ((port(d)["host_port"] = 65535), (port(d)["range"] = 2))), says: /65535/ },
  { name: "host address that is not an address", input: doc((d) => (port(d)["host_ip"] = "not-an-ip")), says: /not-an-ip/ },
  { name: "the same host port twice", input: doc((d) => (d.port_mappings = [port(d), port(d)])), says: /twice/ },
  {
    name: "namespace path that does not exist",
    input: JSON.stringify(FIXTURE),
    args: ["setup", "/run/netns/berth-no-such-namespace"],
    // netavark's own words, which Podman shows and people match on (Berth's reason goes to stderr at info)
    says: /invalid namespace path: IO error: No such file or directory \(os error 2\)/,
  },
  { name: "relative namespace path", input: JSON.stringify(FIXTURE), args: ["setup", "netns"], says: /invalid namespace path/ },
  { name: "a regular file as the namespace", input: JSON.stringify(FIXTURE), args: ["setup", "/etc/hostname"], says: /not a network namespace/ },
  { name: "the host's own namespace (pid 1's)", input: JSON.stringify(FIXTURE), args: ["setup", "/proc/1/ns/net"], says: /host's own network namespace/ },
  { name: "the adapter's own namespace", input: JSON.stringify(FIXTURE), args: ["setup", "/proc/self/ns/net"], says: /host's own|Berth itself runs in/ },
  {
    name: "a mount namespace",
    input: JSON.stringify(FIXTURE),
    args: ["setup", "/proc/self/ns/mnt"],
    says: /not a network namespace \(it is a mnt namespace\)/,
  },
  { name: "unknown verb", input: "{}", args: ["explode", "NETNS"], says: /Unknown command/ },
  { name: "setup without a namespace", input: "{}", args: ["setup"], says: /one argument/ },
  { name: "rootless", input: JSON.stringify(FIXTURE), args: ["--rootless=true", "setup", "NETNS"], says: /rootless/ },
];

function adapter(env: NodeJS.ProcessEnv, args: readonly string[], input: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(ADAPTER, [...args], { env, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Everything a setup could have changed: links on the host and in the namespace, the nft table, the state's rows. */
function snapshot(b: BerthSandbox, netns: string): string {
  const names = (out: string) =>
    out
      .split("\n")
      .map((l) => l.split(":")[1]?.trim().split("@")[0] ?? "")
      .filter(Boolean);
  const links = names(spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).stdout);
  const inner = names(spawnSync("nsenter", [`--net=${netns}`, "ip", "-o", "link", "show"], { encoding: "utf8" }).stdout);
  const nft = spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout;
  const db = new Database(join(b.root, "lib", "berth.db"), { readonly: true });
  try {
    const rows = Object.fromEntries(
      ["networks", "containers", "attachments", "ports"].map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()]),
    );
    return JSON.stringify({ links, inner, nft, rows }, null, 1);
  } finally {
    db.close();
  }
}

test("the netavark adapter refuses hostile input with a JSON error, exit 1, and no state change", async (t) => {
  if (!requireSandbox(t)) return;
  const b = new BerthSandbox();
  const netns = join(b.root, "podman-ns");
  const other = join(b.root, "other-ns");
  for (const p of [netns, other]) {
    writeFileSync(p, "");
    assert.equal(spawnSync("unshare", [`--net=${p}`, "true"]).status, 0);
  }
  const squatter = createServer();
  try {
    // a container already on the network: failures must leave it, its lease and its port alone
    const first = doc(
      (d) => ((d.container_id = "f".repeat(64)), (d.container_name = "first"), (net(d)["static_ips"] = ["10.77.0.5"]), (port(d)["host_port"] = 9100)),
    );
    const ok = adapter(b.env, ["setup", other], first);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const before = snapshot(b, netns);

    const extra: Case[] = [
      { name: "an address another container holds", input: doc((d) => (net(d)["static_ips"] = ["10.77.0.5"])), says: /10\.77\.0\.5.*first|in use/ },
      { name: "a host port another container publishes", input: doc((d) => (port(d)["host_port"] = 9100)), says: /9100.*first/ },
      { name: "a host port a host process listens on", input: doc((d) => (port(d)["host_port"] = 9101)), says: /9101.*in use/ },
      {
        name: "the same network with another subnet",
        input: doc((d) => (info(d)["subnets"] = [{ subnet: "10.66.0.0/24", gateway: "10.66.0.1" }])),
        says: /differs/,
      },
      // fails in the kernel after the lease and the bridge port: rolled back
      { name: "an interface name the namespace already has", input: doc((d) => (net(d)["interface_name"] = "lo")), says: /lo/ },
    ];
    await new Promise<void>((resolve) => squatter.listen(9101, "0.0.0.0", resolve));
    for (const c of [...CASES, ...extra]) {
      const args = (c.args ?? ["setup", "NETNS"]).map((a) => (a === "NETNS" ? netns : a));
      const rootless = args.some((a) => a.startsWith("--rootless")) ? [] : ["--rootless=false"];
      // as Podman runs it at its info log level: where the error is netavark's own words, Berth's reason and hint go to stderr
      const env = { ...b.env, RUST_LOG: "netavark=info" };
      const r = adapter(env, ["--config", join(b.root, "cfg"), ...rootless, ...args], c.input);
      assert.equal(r.code, 1, `${c.name}: exit code (stdout ${r.stdout})`);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, 1, `${c.name}: one JSON line on stdout: ${r.stdout}`);
      const out = JSON.parse(lines[0] ?? "") as { error?: unknown };
      assert.deepEqual(Object.keys(out), ["error"], c.name);
      assert.equal(typeof out.error, "string");
      assert.match(String(out.error), c.says, `${c.name}: says what is wrong`);
      const hint = /Hint: \S/.test(String(out.error)) || /^\[berth\] .*Hint: \S/m.test(r.stderr);
      assert.ok(hint, `${c.name}: says what to do, in the error or at info level on stderr: ${String(out.error)} / ${r.stderr}`);
      assert.equal(snapshot(b, netns), before, `${c.name}: nothing changed`);
    }

    // teardown is idempotent: an unknown container, twice, and the real one twice
    for (const id of ["0".repeat(64), "f".repeat(64), "f".repeat(64)]) {
      const r = adapter(
        b.env,
        ["teardown", other],
        doc((d) => (d.container_id = id)),
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout, "");
    }
    assert.equal(b.ok("ps", "-a", "-q").trim(), "");
  } finally {
    squatter.close();
    for (const p of [netns, other]) spawnSync("umount", [p]);
    b.dispose();
  }
});
