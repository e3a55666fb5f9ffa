// Real Podman (Debian's 4.3.1) with Berth as its network backend:
// containers on a Podman network ping and resolve each other through
// Berth's resolver, a published port answers on 127.0.0.1 and on a host
// address, Berth's own views show them, and `podman rm` leaves nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { requireSandbox } from "../helpers.js";
import { BerthSandbox } from "../berth-cli.js";
import { HOST_ADDR, makeOutside } from "../outside.js";
import { IMAGE, PodmanSandbox, podmanMissing } from "../podman.js";

const PAGE = "hello from a podman container on berth";

function curl(url: string): string {
  const r = spawnSync("curl", ["-s", "--max-time", "5", url], { encoding: "utf8" });
  return r.stdout.trim();
}

function nftElements(): string {
  return spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8" }).stdout;
}

test("podman containers on a Berth network talk, resolve each other, publish ports, and leave nothing behind", async (t) => {
  if (!requireSandbox(t)) return;
  const missing = podmanMissing();
  if (missing) {
    if (process.env["CI"] === "true") throw new Error(missing);
    t.skip(missing);
    return;
  }
  const b = new BerthSandbox();
  const p = await PodmanSandbox.start(b.env);
  const outside = makeOutside(b.root);
  try {
    p.importBusybox(PAGE);
    p.ok("network", "create", "--subnet", "10.91.0.0/24", "pnet");
    p.ok("run", "-d", "--name", "web", "--network", "pnet", "--network-alias", "www", "-p", "8080:80", IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
    p.ok("run", "-d", "--name", "client", "--network", "pnet", IMAGE, "sleep", "600");
    const webIp = p.ok("inspect", "-f", '{{(index .NetworkSettings.Networks "pnet").IPAddress}}', "web").trim();
    assert.match(webIp, /^10\.91\.0\.[0-9]+$/);

    // DNS: Podman wrote what the backend returned; Berth's resolver answers by name, alias and under dns.podman
    const resolv = p.ok("exec", "client", "cat", "/etc/resolv.conf");
    assert.match(resolv, /^search dns\.podman/m);
    assert.match(resolv, /^nameserver 10\.91\.0\.1$/m);
    for (const name of ["web", "www", "web.dns.podman"]) {
      const r = p.podman("exec", "client", "nslookup", name, "10.91.0.1");
      assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stdout.includes(`Address: ${webIp}`), `${name} resolves to web's address:\n${r.stdout}`);
    }
    const ping = p.podman("exec", "client", "ping", "-c", "1", "-W", "3", "web");
    assert.equal(ping.code, 0, `ping web by name: ${ping.stdout}${ping.stderr}`);
    assert.equal(p.ok("exec", "client", "wget", "-q", "-O", "-", "http://web/").trim(), PAGE, "http by name inside the network");

    // published port: loopback, a host address, and from outside the host
    assert.equal(curl("http://127.0.0.1:8080/"), PAGE, "127.0.0.1:8080");
    assert.equal(curl(`http://${HOST_ADDR}:8080/`), PAGE, `${HOST_ADDR}:8080`);
    const fromOutside = spawnSync("nsenter", [`--net=${outside.ns}`, "curl", "-s", "--max-time", "5", `http://${HOST_ADDR}:8080/`], { encoding: "utf8" });
    assert.equal(fromOutside.stdout.trim(), PAGE, "from outside the host");

    // Berth's own views see Podman's containers and network
    const ps = b.ok("ps", "--format", "{{.Name}}");
    assert.deepEqual(ps.trim().split("\n").sort(), ["client", "web"]);
    assert.match(b.ok("port", "--all"), /80\/tcp -> 0\.0\.0\.0:8080/);
    assert.match(b.ok("network", "ls"), /pnet/);
    assert.ok(nftElements().includes(`tcp . 8080 : ${webIp} . 80`), nftElements());
    const refused = b.run("rm", "-f", "web");
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /managed by podman/);

    // podman rm: no veth, no map element, no lease, no adopted network
    p.ok("rm", "-f", "-t", "0", "web", "client");
    assert.equal(b.ok("ps", "-a", "--format", "{{.Name}}").trim(), "");
    assert.doesNotMatch(b.ok("network", "ls"), /pnet/);
    assert.ok(!nftElements().includes(webIp), nftElements());
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, bridge or resolver left (the empty table stays, as after berth network rm)",
    );
    assert.equal(spawnSync("ip", ["link", "show", "podman1"]).status, 1, "the bridge is gone with its last container");
  } finally {
    p.dispose();
    outside.remove();
    b.dispose();
  }
});
