import { Walkthrough } from "./runner.js";

const HTTPD = (name: string) => ["sh", "-c", `echo hello from ${name} > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp`];
const SLEEP = ["sleep", "3600"];
const CONTAINERS = ["wt-pub", "wt-pub-local", "wt-sidecar", "wt-web", "wt-app", "wt-none", "wt-httpd", "wt-client", "wt-database", "wt-webserver"];
const NETWORKS = ["wt-mynetwork", "wt-public", "wt-backend", "wt-frontend"];

/**
 * The seed tutorial (container-networking.md), performed with berth on the
 * real kernel: every step shows the berth command, what it changed, and the
 * evidence (addresses, a ping, a curl), then cleans up what it made.
 * Returns the number of checks that failed.
 */
export function runScenario(w: Walkthrough): number {
  cleanup(w, false);
  try {
    hostStack(w);
    const webIp = defaultNetwork(w);
    bridge(w, webIp);
    publishing(w);
    namespaces(w);
    multipleNetworks(w);
    segmentation(w);
    modes(w);
    dns(w);
    troubleshooting(w);
  } finally {
    w.section(
      "Clean up",
      "Remove what the walkthrough made: containers first (their veths and namespaces go with them), then networks (bridges go with their last container).",
    );
    cleanup(w, true);
  }
  return w.failures;
}

function hostStack(w: Walkthrough): void {
  w.section("The host's network stack", "Interfaces, routes, and the network namespaces on this host (the host's is PID 1's).");
  w.sh("ip", "-br", "addr");
  w.sh("ip", "route");
  w.berth("ns", "ls");
}

function defaultNetwork(w: Walkthrough): string {
  w.section(
    "A container on the default network",
    "berth made the default network `berth` (bridge berth0), a namespace for the container, and a veth pair: one end on berth0, the other is eth0 inside.",
  );
  const r = w.berth("run", "-d", "--name", "wt-web", ...HTTPD("wt-web"));
  w.expect(r.code === 0, "container wt-web started");
  w.sh("ip", "-br", "link", "show", "type", "bridge");
  w.sh("ip", "-br", "link", "show", "type", "veth");
  const ip = w.berth("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "wt-web").stdout.trim();
  const sandbox = w.value("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "wt-web");
  w.note(`The container's namespace is ${sandbox}; look inside it from the host:`);
  if (sandbox.startsWith("/run/netns/")) w.sh("ip", "netns", "exec", sandbox.slice("/run/netns/".length), "ip", "-br", "addr");
  else w.sh("nsenter", `--net=${sandbox}`, "ip", "-br", "addr");
  const ping = w.sh("ping", "-c1", "-W2", ip);
  w.expect(ping.code === 0, `the host reaches the container at ${ip} through berth0`);
  const curl = w.sh("curl", "-s", "--max-time", "5", `http://${ip}:8080/`);
  w.expect(curl.stdout.includes("hello from wt-web"), "the container's web server answers the host");
  return ip;
}

function bridge(w: Walkthrough, webIp: string): void {
  w.section("Bridge networking", "A second container on the same bridge: the bridge switches frames between the two veths.");
  w.berth("run", "-d", "--name", "wt-app", ...SLEEP);
  const r = w.berth("exec", "wt-app", "ping", "-c1", "-W2", webIp);
  w.expect(r.code === 0, "wt-app reaches wt-web across the bridge");
}

function publishing(w: Walkthrough): void {
  w.section(
    "Port publishing",
    "-p 9090:8080 forwards port 9090 on every host address to port 8080 in the container: an element in an nftables DNAT map, no proxy process. -p 127.0.0.1:9092:8080 forwards only on that address.",
  );
  w.berth("run", "-d", "--name", "wt-pub", "-p", "9090:8080", ...HTTPD("wt-pub"));
  w.berth("run", "-d", "--name", "wt-pub-local", "-p", "127.0.0.1:9092:8080", ...HTTPD("wt-pub-local"));
  const any = w.sh("curl", "-s", "--max-time", "5", "http://127.0.0.1:9090/");
  w.expect(any.stdout.includes("hello from wt-pub"), "port 9090 answers on 127.0.0.1 (published on 0.0.0.0)");
  const local = w.sh("curl", "-s", "--max-time", "5", "http://127.0.0.1:9092/");
  w.expect(local.stdout.includes("hello from wt-pub-local"), "port 9092 answers on 127.0.0.1, the one address it is published on");
  const all = w.berth("port", "--all");
  w.expect(/8080\/tcp -> 0\.0\.0\.0:9090/.test(all.stdout) && /8080\/tcp -> 127\.0\.0\.1:9092/.test(all.stdout), "berth port --all lists both mappings");
  w.sh("nft", "list", "map", "inet", "berth", "dnat_any");
  const clash = w.berth("run", "-d", "--name", "wt-clash", "-p", "9090:80", "sleep", "1");
  w.expect(clash.code !== 0 && /already published by container wt-pub/.test(clash.stderr), "publishing 9090 twice is refused, naming the holder");
}

function namespaces(w: Walkthrough): void {
  w.section("Network namespaces: --network none", "A namespace with nothing but loopback (up), as `ip netns add` + `ip link set lo up` would make.");
  w.berth("run", "-d", "--name", "wt-none", "--network", "none", ...SLEEP);
  const r = w.berth("exec", "wt-none", "ip", "-br", "addr");
  w.expect(r.stdout.includes("lo") && !r.stdout.includes("eth0"), "only lo inside");
}

function multipleNetworks(w: Walkthrough): void {
  w.section(
    "Multiple network attachment",
    "One container on two networks gets eth0 and eth1, an address on each, one default route; `network connect` adds a third on the fly.",
  );
  w.berth("network", "create", "wt-mynetwork");
  w.berth("network", "create", "wt-public");
  w.berth("network", "create", "wt-backend");
  w.berth("run", "-d", "--name", "wt-httpd", "--network", "wt-mynetwork,wt-public", ...HTTPD("wt-httpd"));
  const addrs = w.berth("exec", "wt-httpd", "ip", "-br", "addr");
  w.expect(addrs.stdout.includes("eth0") && addrs.stdout.includes("eth1"), "eth0 and eth1 inside wt-httpd");
  w.berth("network", "connect", "wt-backend", "wt-httpd");
  const ips = w.berth("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", "wt-httpd").stdout.trim();
  w.note("Same port, different interfaces: the web server answers on port 8080 of every network's address.");
  for (const pair of ips.split(" ")) {
    const ip = pair.split("=")[1] ?? "";
    const r = w.sh("curl", "-s", "--max-time", "5", `http://${ip}:8080/`);
    w.expect(r.stdout.includes("hello from wt-httpd"), `port 8080 answers on ${pair}`);
  }
  w.berth("network", "ls");
}

function segmentation(w: Walkthrough): void {
  w.section(
    "Network segmentation",
    "frontend and backend are separate bridges; berth's nftables rules drop traffic between networks. Only a container on both can talk to each side.",
  );
  w.berth("network", "create", "wt-frontend");
  w.berth("run", "-d", "--name", "wt-database", "--network", "wt-backend", ...HTTPD("wt-database"));
  w.berth("run", "-d", "--name", "wt-webserver", "--network", "wt-frontend,wt-backend", ...SLEEP);
  w.berth("run", "-d", "--name", "wt-client", "--network", "wt-frontend", ...SLEEP);
  const dbIp = w.value("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "wt-database");
  const ok = w.berth("exec", "wt-webserver", "curl", "-s", "--max-time", "3", `http://${dbIp}:8080/`);
  w.expect(ok.stdout.includes("hello from wt-database"), "wt-webserver (frontend+backend) reaches the database");
  // curl exits 28 when it times out: the packets were dropped (not refused, not a missing tool)
  const blocked = w.berth("exec", "wt-client", "curl", "-s", "--max-time", "2", `http://${dbIp}:8080/`);
  w.expect(blocked.code === 28, "wt-client (frontend only) cannot reach the database: its packets are dropped");
  w.sh("nft", "list", "table", "inet", "berth");
}

function modes(w: Walkthrough): void {
  w.section(
    "Network modes: host and container:NAME",
    "host shares the host's namespace; container:NAME joins another container's namespace, so localhost reaches it (the sidecar pattern).",
  );
  const host = w.berth("run", "--rm", "--network", "host", "ip", "-br", "link", "show", "berth0");
  w.expect(host.stdout.includes("berth0"), "a --network host container sees the host's bridge berth0");
  w.berth("run", "-d", "--name", "wt-sidecar", "--network", "container:wt-web", ...SLEEP);
  const r = w.berth("exec", "wt-sidecar", "curl", "-s", "--max-time", "3", "http://127.0.0.1:8080/");
  w.expect(r.stdout.includes("hello from wt-web"), "the sidecar reaches wt-web on localhost");
}

function dns(w: Walkthrough): void {
  w.section(
    "DNS in containers",
    "On custom networks the resolver is the gateway (berth's embedded DNS server) and containers find each other by name; the default network has no DNS, as in Podman.",
  );
  w.berth("exec", "wt-webserver", "cat", "/etc/resolv.conf");
  const r = w.berth("exec", "wt-webserver", "curl", "-s", "--max-time", "3", "http://wt-database:8080/");
  w.expect(r.stdout.includes("hello from wt-database"), "wt-webserver reaches wt-database by name");
  const own = w.berth("exec", "wt-client", "busybox", "nslookup", "wt-webserver.dns.berth");
  w.expect(own.code === 0 && /Address:? *10\./.test(own.stdout), "wt-client resolves wt-webserver, which shares wt-frontend with it");
  const leak = w.berth("exec", "wt-client", "busybox", "nslookup", "wt-database.dns.berth");
  w.expect(/NXDOMAIN/.test(leak.stdout + leak.stderr), "wt-client (not on backend) gets NXDOMAIN for wt-database from the resolver");
}

function troubleshooting(w: Walkthrough): void {
  w.section("Troubleshooting views", "What the seed's troubleshooting table asks for: addresses, memberships, namespaces.");
  w.berth("ps");
  w.berth("network", "inspect", "-f", "{{.Name}}: {{range $id, $c := .Containers}}{{$c.name}} {{end}}", "wt-backend");
  w.berth("ns", "ls");
}

function cleanup(w: Walkthrough, show: boolean): void {
  const run = show ? (...a: string[]) => w.berth(...a) : (...a: string[]) => w.value(...a);
  const existing = CONTAINERS.filter((c) => w.value("inspect", "-f", "{{.Name}}", c) === c);
  if (existing.length > 0) run("rm", "-f", ...existing);
  for (const n of NETWORKS) if (w.value("network", "ls", "-q").split("\n").includes(n)) run("network", "rm", "-f", n);
}
