#!/usr/bin/env node
// The real clients the test suite drives. `npm test` runs this right after
// `install-deps.sh --test`: a missing client fails the whole run here, loudly,
// instead of letting the tests that need it skip one by one.
import { accessSync, constants } from "node:fs";

const FIREWALLD_DIR = process.env.BERTH_TEST_FIREWALLD_DIR ?? "/var/cache/berth-test/firewalld";
const UNPACKED = "firewalld, unpacked (not installed) by `scripts/install-deps.sh --test`";

export const REQUIRED_CLIENTS = [
  ["/usr/bin/podman", "podman", "Podman backend tests and the differential test against netavark"],
  ["/usr/lib/podman/netavark", "netavark", "the differential test and bench against Debian's netavark"],
  ["/usr/lib/podman/aardvark-dns", "aardvark-dns", "the differential test: netavark's own resolver"],
  ["/usr/bin/catatonit", "catatonit", "Podman pods (their infra container) and run --init"],
  ["/usr/bin/containerd", "containerd", "the CNI plugin driven by containerd (ctr and CRI)"],
  ["/usr/bin/ctr", "containerd", "the CNI plugin driven by containerd (ctr and CRI)"],
  ["/usr/lib/cni/bridge", "containernetworking-plugins", "the reference CNI chain Berth is compared with"],
  ["/usr/lib/cni/portmap", "containernetworking-plugins", "the reference CNI chain Berth is compared with"],
  ["/usr/lib/cni/tuning", "containernetworking-plugins", "chaining the reference plugins after Berth"],
  ["/usr/bin/chromium", "chromium", "the topology picture tests in a real browser"],
  ["/usr/sbin/runc", "runc", "every container Berth runs"],
  ["/usr/bin/conmon", "conmon", "detached containers"],
  ["/usr/sbin/dockerd", "docker.io", "the Docker network and IPAM driver test and bench"],
  ["/usr/bin/docker", "docker.io", "the Docker network and IPAM driver test and bench"],
  ["/usr/sbin/iptables-legacy", "iptables", "the foreign-firewall detection tests"],
  ["/usr/bin/dbus-daemon", "dbus-daemon", "the firewalld tests: a D-Bus daemon of the test's own"],
  ["/usr/bin/dbus-send", "dbus-bin", "Berth asking firewalld for its zones (and the firewalld tests)"],
  // never apt-get installed (its package starts firewalld host-wide): install-deps.sh --test unpacks it
  [`${FIREWALLD_DIR}/bin/firewalld`, UNPACKED, "the firewalld tests (test/integration/firewalld.test.ts, netavark's firewalld bats)"],
  [`${FIREWALLD_DIR}/bin/firewall-cmd`, UNPACKED, "the firewalld tests (test/integration/firewalld.test.ts, netavark's firewalld bats)"],
];

export function missingClients() {
  const missing = [];
  for (const [path, pkg, why] of REQUIRED_CLIENTS) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      missing.push({ path, pkg, why });
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = missingClients();
  for (const m of missing) console.error(`berth tests: required client ${m.path} is missing (Debian package ${m.pkg}; needed for ${m.why})`);
  if (missing.length > 0) {
    const apt = [...new Set(missing.map((m) => m.pkg).filter((p) => p !== UNPACKED))];
    if (apt.length > 0) console.error(`berth tests: install them with: apt-get install ${apt.join(" ")}`);
    if (missing.some((m) => m.pkg === UNPACKED))
      console.error("berth tests: unpack firewalld with: scripts/install-deps.sh --test (never apt-get install firewalld on a test machine)");
    process.exit(1);
  }
}
