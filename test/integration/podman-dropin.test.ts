// Real Podman (Debian's 4.3.1) with Berth as its network backend, in the
// everyday cases where Berth used to fail and netavark passes (issue 14):
// loopback, connect/disconnect with published ports, reload (also after a
// firewall flush), conmon holding the ports, pods, play kube, static
// addresses, aliases, internal networks, port ranges, two networks, and the
// teardown conmon runs without the caller's environment. One Podman sandbox
// for the file; each case removes its own containers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inSandbox } from "../helpers.js";
import { BerthSandbox } from "../berth-cli.js";
import { HOST_ADDR, makeOutside, type Outside } from "../outside.js";
import { BACKEND_DIR, IMAGE, PodmanSandbox, podmanMissing } from "../podman.js";

const PAGE = "hello from podman on berth";
const HTTPD = [IMAGE, "httpd", "-f", "-p", "80", "-h", "/www"];

function curl(url: string): string {
  return spawnSync("curl", ["-s", "--max-time", "5", url], { encoding: "utf8" }).stdout.trim();
}

/** Wait until `url` answers with the page (a container's httpd is up), or fail with what it said last. */
function waitForPage(url: string): void {
  const deadline = Date.now() + 15_000;
  let last = "";
  while (Date.now() < deadline) {
    last = curl(url);
    if (last === PAGE) return;
    spawnSync("sleep", ["0.2"]);
  }
  assert.equal(last, PAGE, `${url} answers`);
}

function nft(...args: string[]): string {
  return spawnSync("nft", args, { encoding: "utf8" }).stdout;
}

const skip = (() => {
  if (!inSandbox()) {
    if (process.env["CI"] === "true") throw new Error("integration test must run inside the npm test sandbox as root");
    return "needs root inside the `npm test` sandbox (unshare --net --mount)";
  }
  const missing =
    podmanMissing() ?? (existsSync("/usr/bin/catatonit") ? undefined : "/usr/bin/catatonit is missing (scripts/install-deps.sh --test installs it)");
  if (missing && process.env["CI"] === "true") throw new Error(missing);
  return missing;
})();

describe("Berth as Podman's network backend, as Podman users use it", { skip }, () => {
  let b: BerthSandbox;
  let p: PodmanSandbox;
  let outside: Outside;

  before(async () => {
    b = new BerthSandbox();
    p = await PodmanSandbox.start(b.env, { record: true });
    outside = makeOutside(b.root);
    p.importBusybox(PAGE);
    p.ok("network", "create", "--subnet", "10.91.0.0/24", "pnet");
    p.ok("network", "create", "--subnet", "10.92.0.0/24", "pnet2");
  });

  after(() => {
    p.dispose();
    outside.remove();
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge or resolver left",
    );
    b.dispose();
  });

  /** `podman rm -f` the containers, even when the case failed. */
  function cleanup(...names: string[]): void {
    p.podman("rm", "-f", "-t", "0", ...names);
  }

  test("netavark --version and version print what netavark prints", () => {
    const short = spawnSync(join(BACKEND_DIR, "netavark"), ["--version"], { encoding: "utf8" });
    assert.equal(short.status, 0);
    assert.match(short.stdout, /^netavark 1\.[0-9]+\.[0-9]+\n$/, "`podman info` (4.6+) shows this line");
    const long = spawnSync(join(BACKEND_DIR, "netavark"), ["version"], { encoding: "utf8" });
    const v = JSON.parse(long.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(v).sort(), ["build_time", "commit", "target", "version"]);
    assert.match(String(v["version"]), /^1\.[0-9]+\.[0-9]+$/);
    assert.match(String(v["build_time"]), /^20/);
    assert.match(String(v["commit"]), /^[0-9a-f]{40}$/, "Berth's git commit, where netavark names its own");
  });

  test("loopback is up inside a Podman container", () => {
    try {
      p.ok("run", "-d", "--name", "lo1", "--network", "pnet", ...HTTPD);
      assert.match(p.ok("exec", "lo1", "ip", "link", "show", "lo"), /<LOOPBACK,UP/);
      assert.equal(p.ok("exec", "lo1", "wget", "-q", "-O", "-", "http://127.0.0.1/").trim(), PAGE, "the container reaches itself on 127.0.0.1");
    } finally {
      cleanup("lo1");
    }
  });

  test("network connect and disconnect with published ports: the ports stay, only the named network goes", () => {
    try {
      p.ok("run", "-d", "--name", "cd1", "--network", "pnet", "-p", "15401:80", "-p", "127.0.0.1:15402:80", ...HTTPD);
      waitForPage("http://127.0.0.1:15401/");
      // Podman sends all of the container's ports again with the new network
      p.ok("network", "connect", "pnet2", "cd1");
      const addrs = p.ok("exec", "cd1", "ip", "-4", "addr");
      assert.match(addrs, /10\.91\.0\.[0-9]+\/24/);
      assert.match(addrs, /10\.92\.0\.[0-9]+\/24/);
      assert.equal(curl("http://127.0.0.1:15401/"), PAGE);
      assert.equal(curl("http://127.0.0.1:15402/"), PAGE);
      // Podman sends only pnet on disconnect: pnet2 and its lease stay, the ports move to it
      const ip2 = p.ok("inspect", "-f", '{{(index .NetworkSettings.Networks "pnet2").IPAddress}}', "cd1").trim();
      p.ok("network", "disconnect", "pnet", "cd1");
      const after = p.ok("exec", "cd1", "ip", "-4", "addr");
      assert.doesNotMatch(after, /10\.91\.0\./);
      assert.ok(after.includes(`${ip2}/24`), `still on pnet2 with ${ip2}:\n${after}`);
      assert.ok(nft("list", "map", "inet", "berth", "dnat_any").includes(`tcp . 15401 : ${ip2} . 80`), "the port follows to pnet2");
      assert.equal(curl("http://127.0.0.1:15401/"), PAGE);
      assert.equal(curl(`http://${HOST_ADDR}:15401/`), PAGE);
      // and back: connect again, disconnect the other; Podman's own IPAM agrees with Berth throughout
      p.ok("network", "connect", "pnet", "cd1");
      p.ok("network", "disconnect", "pnet2", "cd1");
      assert.equal(curl("http://127.0.0.1:15402/"), PAGE);
      const rm = p.podman("rm", "-f", "-t", "0", "cd1");
      assert.equal(rm.code, 0, rm.stderr);
      assert.doesNotMatch(rm.stderr, /IPAM error/);
      assert.equal(b.ok("ps", "-a", "--format", "{{.Name}}").trim(), "");
    } finally {
      cleanup("cd1");
    }
  });

  test("network reload with published ports (conmon holds them) restores them after nft flush ruleset and after iptables flushes", () => {
    try {
      p.ok("run", "-d", "--name", "rl1", "--network", "pnet", "-p", "15403:80", ...HTTPD);
      p.ok("run", "-d", "--name", "rl2", "--network", "pnet", "-p", "127.0.0.1:15404:80", ...HTTPD);
      waitForPage("http://127.0.0.1:15403/");
      const ss = spawnSync("ss", ["-ltnpH", "sport", "= :15403"], { encoding: "utf8" }).stdout;
      assert.match(ss, /conmon/, "Podman's conmon holds the published port");
      p.ok("network", "reload", "rl1");
      assert.match(p.ok("exec", "rl1", "ip", "-4", "addr", "show", "eth0"), /10\.91\.0\./, "eth0 is there after the reload");
      assert.equal(curl("http://127.0.0.1:15403/"), PAGE);

      spawnSync("nft", ["flush", "ruleset"]);
      assert.notEqual(curl("http://127.0.0.1:15403/"), PAGE, "the flush took the ports away");
      p.ok("network", "reload", "--all");
      assert.equal(curl("http://127.0.0.1:15403/"), PAGE, "0.0.0.0 port back");
      assert.equal(curl("http://127.0.0.1:15404/"), PAGE, "127.0.0.1 port back");
      assert.equal(curl(`http://${HOST_ADDR}:15403/`), PAGE);

      // Podman's own iptables chains (what netavark would use) flushed: nothing of Berth's depends on them
      for (const cmd of [
        ["iptables", "-F"],
        ["iptables", "-t", "nat", "-F"],
      ])
        spawnSync(cmd[0] ?? "", cmd.slice(1));
      p.ok("network", "reload", "rl1", "rl2");
      assert.equal(curl("http://127.0.0.1:15403/"), PAGE);
      assert.equal(curl("http://127.0.0.1:15404/"), PAGE);
      assert.match(p.ok("exec", "rl2", "ip", "-4", "addr", "show", "eth0"), /10\.91\.0\./);
    } finally {
      cleanup("rl1", "rl2");
    }
  });

  test("a repeated setup (Podman's own call, replayed) repairs what is missing and keeps the address and MAC", () => {
    try {
      p.ok("run", "-d", "--name", "rp1", "--network", "pnet", "-p", "15408:80", ...HTTPD);
      waitForPage("http://127.0.0.1:15408/");
      const setup = p
        .recordedCalls()
        .filter((c) => c.argv.includes("setup") && c.input.includes('"container_name":"rp1"'))
        .at(-1);
      assert.ok(setup, "Podman's setup call for rp1 was recorded");
      const before = p.ok("exec", "rp1", "ip", "addr", "show", "eth0");
      // damage: the host end of the veth (and so the container's eth0) and the port's map element go
      const veth = b.ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.HostInterfaceName}}{{end}}", "rp1").trim();
      assert.equal(spawnSync("ip", ["link", "del", veth]).status, 0, `delete ${veth}`);
      spawnSync("nft", ["flush", "map", "inet", "berth", "dnat_any"]);
      assert.notEqual(curl("http://127.0.0.1:15408/"), PAGE);
      const again = p.exec([p.backendProgram, ...setup.argv], setup.input);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      const after = p.ok("exec", "rp1", "ip", "addr", "show", "eth0");
      const addrOf = (t: string) => [/inet (\S+)/.exec(t)?.[1], /link\/ether (\S+)/.exec(t)?.[1]];
      assert.deepEqual(addrOf(after), addrOf(before), "same address and MAC");
      assert.match(p.ok("exec", "rp1", "ip", "route"), /default via 10\.91\.0\.1/);
      assert.equal(curl("http://127.0.0.1:15408/"), PAGE, "the port answers again");
      const status = JSON.parse(again.stdout) as Record<string, { interfaces: Record<string, { mac_address: string }> }>;
      assert.equal(status["pnet"]?.interfaces["eth0"]?.mac_address, addrOf(before)[1], "the reply names the same interface and MAC");
    } finally {
      cleanup("rp1");
    }
  });

  test("pods: published port on 127.0.0.1 answers, pod members share localhost, another pod reaches it", () => {
    try {
      p.ok("pod", "create", "--name", "pod1", "--network", "pnet", "-p", "127.0.0.1:15405:80", "-p", "15406:80");
      p.ok("run", "-d", "--pod", "pod1", "--name", "pod1web", ...HTTPD);
      p.ok("run", "-d", "--pod", "pod1", "--name", "pod1side", IMAGE, "sleep", "600");
      waitForPage("http://127.0.0.1:15405/");
      assert.equal(curl(`http://${HOST_ADDR}:15406/`), PAGE);
      assert.equal(p.ok("exec", "pod1side", "wget", "-q", "-O", "-", "http://127.0.0.1/").trim(), PAGE, "a pod member reaches another on localhost");
      p.ok("pod", "create", "--name", "pod2", "--network", "pnet");
      p.ok("run", "-d", "--pod", "pod2", "--name", "pod2c", IMAGE, "sleep", "600");
      assert.equal(p.ok("exec", "pod2c", "wget", "-q", "-O", "-", "http://pod1/").trim(), PAGE, "another pod by the pod's name");
      assert.equal(p.ok("exec", "pod2c", "wget", "-q", "-O", "-", "http://10.91.0.1:15406/").trim(), PAGE, "another pod through the published port");
    } finally {
      p.podman("pod", "rm", "-f", "-t", "0", "pod1", "pod2");
    }
  });

  test("podman play kube with a hostPort", () => {
    const yaml = join(p.dir, "kube.yaml");
    writeFileSync(
      yaml,
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        "  name: kubepod",
        "spec:",
        "  containers:",
        "  - name: web",
        `    image: ${IMAGE}`,
        '    command: ["/bin/httpd", "-f", "-p", "80", "-h", "/www"]',
        "    ports:",
        "    - containerPort: 80",
        "      hostPort: 15407",
        "",
      ].join("\n"),
    );
    try {
      p.ok("play", "kube", "--network", "pnet", yaml);
      waitForPage("http://127.0.0.1:15407/");
      assert.equal(curl(`http://${HOST_ADDR}:15407/`), PAGE);
      assert.match(b.ok("port", "--all"), /15407/);
    } finally {
      p.podman("play", "kube", "--down", yaml);
    }
  });

  test("static IP and MAC, --network-alias, two networks at once, a port range", () => {
    try {
      p.ok(
        "run",
        "-d",
        "--name",
        "st1",
        "--network",
        "pnet",
        "--ip",
        "10.91.0.50",
        "--mac-address",
        "02:42:0a:5b:00:32",
        "--network-alias",
        "web-alias",
        "-p",
        "15410-15412:80-82",
        ...HTTPD,
      );
      const addr = p.ok("exec", "st1", "ip", "addr", "show", "eth0");
      assert.match(addr, /inet 10\.91\.0\.50\/24/);
      assert.match(addr, /link\/ether 02:42:0a:5b:00:32/);
      p.ok("run", "-d", "--name", "two", "--network", "pnet,pnet2", IMAGE, "sleep", "600");
      // Podman names the interfaces (eth0 and eth1, in no fixed order for two networks)
      const two = p.ok("exec", "two", "ip", "-4", "-o", "addr");
      assert.match(two, /eth[01]\s+inet 10\.91\.0\.[0-9]+\/24/);
      assert.match(two, /eth[01]\s+inet 10\.92\.0\.[0-9]+\/24/);
      assert.match(p.ok("exec", "two", "ip", "route"), /default via 10\.91\.0\.1 dev eth[01]/, "the default route through the first network");
      assert.equal(p.ok("exec", "two", "wget", "-q", "-O", "-", "http://web-alias/").trim(), PAGE, "the alias resolves");
      waitForPage("http://127.0.0.1:15410/");
      const map = nft("list", "map", "inet", "berth", "dnat_any");
      for (const [h, c] of [
        [15410, 80],
        [15411, 81],
        [15412, 82],
      ] as const)
        assert.ok(map.includes(`tcp . ${h} : 10.91.0.50 . ${c}`), `${h} -> ${c}:\n${map}`);
    } finally {
      cleanup("st1", "two");
    }
  });

  test("an internal network reaches its own members and nothing outside", () => {
    try {
      p.ok("network", "create", "--internal", "--subnet", "10.93.0.0/24", "pint");
      p.ok("run", "-d", "--name", "in1", "--network", "pint", ...HTTPD);
      p.ok("run", "-d", "--name", "in2", "--network", "pint", IMAGE, "sleep", "600");
      assert.equal(p.ok("exec", "in2", "wget", "-q", "-O", "-", "http://in1/").trim(), PAGE);
      assert.doesNotMatch(p.ok("exec", "in2", "ip", "route"), /default/);
      const out = p.podman("exec", "in2", "ping", "-c", "1", "-W", "2", HOST_ADDR);
      assert.notEqual(out.code, 0, "no way out of an internal network");
    } finally {
      cleanup("in1", "in2");
      p.podman("network", "rm", "pint");
    }
  });

  test("isolate=true cuts isolated networks off from each other only, as netavark does", () => {
    try {
      p.ok("network", "create", "--subnet", "10.94.0.0/24", "-o", "isolate=true", "isoa");
      p.ok("network", "create", "--subnet", "10.95.0.0/24", "-o", "isolate=true", "isob");
      p.ok("run", "-d", "--name", "ia", "--network", "isoa", IMAGE, "sleep", "600");
      p.ok("run", "-d", "--name", "ib", "--network", "isob", IMAGE, "sleep", "600");
      p.ok("run", "-d", "--name", "pn", "--network", "pnet", IMAGE, "sleep", "600");
      const ip = (c: string) => p.ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", c).trim();
      const reach = (from: string, to: string) => p.podman("exec", from, "ping", "-c", "1", "-W", "2", ip(to)).code === 0;
      const seen = ["pn ia", "ia pn", "ia ib", "ib ia"].map((pair) => {
        const [from = "", to = ""] = pair.split(" ");
        return `${from}->${to} ${reach(from, to) ? "reach" : "blocked"}`;
      });
      assert.deepEqual(seen, ["pn->ia reach", "ia->pn reach", "ia->ib blocked", "ib->ia blocked"]);
    } finally {
      cleanup("ia", "ib", "pn");
      p.podman("network", "rm", "isoa", "isob");
    }
  });

  test("a container whose teardown conmon runs (without the caller's environment) is torn down in Berth's state", () => {
    try {
      p.ok("run", "-d", "--name", "short1", "--network", "pnet", IMAGE, "sleep", "1");
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && b.ok("ps", "-a", "--format", "{{.Name}}").includes("short1")) spawnSync("sleep", ["0.3"]);
      assert.doesNotMatch(b.ok("ps", "-a", "--format", "{{.Name}}"), /short1/, "conmon's `podman container cleanup` tore it down in the same state");
      assert.equal(p.exec(["test", "-e", "/var/lib/berth"]).code, 1, "nothing went to Berth's default state directory");
      // and it starts again on the same network
      p.ok("start", "short1");
      assert.match(b.ok("ps", "-a", "--format", "{{.Name}}"), /short1/);
    } finally {
      cleanup("short1");
    }
  });

  test("too many ports in one request are refused with the cap, before anything changes", () => {
    const r = p.podman("run", "-d", "--name", "many", "--network", "pnet", "-p", "20000-59999:20000-59999", IMAGE, "sleep", "600");
    try {
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Cannot publish 40000 host ports in one request: at most 32768/);
      assert.equal(b.ok("ps", "-a", "--format", "{{.Name}}").trim(), "");
    } finally {
      cleanup("many");
    }
  });

  test("a read-only /proc/sys with forwarding off fails the setup, as netavark's does", () => {
    const fwd = "/proc/sys/net/ipv4/ip_forward";
    const saved = spawnSync("cat", [fwd], { encoding: "utf8" }).stdout.trim();
    try {
      p.ok("run", "-d", "--name", "fw0", "--network", "pnet", IMAGE, "sleep", "600"); // the bridge exists
      writeFileSync(fwd, "0");
      assert.equal(p.exec(["sh", "-c", "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys"]).code, 0);
      const r = p.podman("--log-level=info", "run", "-d", "--name", "fw1", "--network", "pnet", IMAGE, "sleep", "600");
      assert.notEqual(r.code, 0, "setup must not report success with ip_forward=0");
      // netavark's words, as Podman shows them; Berth's, with the sysctl and a hint, in Podman's info log
      assert.match(r.stderr, /Error: netavark( \(exit code 1\))?: Sysctl error: IO Error: Read-only file system \(os error 30\)/);
      assert.match(r.stderr, /\[berth\] .*net\.ipv4\.ip_forward.*Hint: /);
    } finally {
      p.exec(["umount", "/proc/sys"]);
      writeFileSync(fwd, saved);
      cleanup("fw0", "fw1");
    }
  });
});
