// An "outside" machine for integration tests: a namespace joined to the
// sandbox (which plays the host) by a veth. The host has 198.51.100.1 and
// .3 on its end; the outside namespace has 198.51.100.2.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, after } from "node:test";
import { BerthSandbox } from "./berth-cli.js";
import { inSandbox } from "./helpers.js";

export const HOST_ADDR = "198.51.100.1";
export const HOST_ADDR2 = "198.51.100.3";
export const OUTSIDE_ADDR = "198.51.100.2";
/** IPv6 addresses of the same link (documentation prefix), with makeOutside({ ipv6: true }). */
export const HOST_ADDR6 = "2001:db8:100::1";
export const HOST_ADDR6_2 = "2001:db8:100::3";
export const OUTSIDE_ADDR6 = "2001:db8:100::2";

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
}

export interface Outside {
  /** The outside namespace's file (for nsenter --net=). */
  readonly ns: string;
  /** Delete the veth and the namespace. */
  remove(): void;
}

/** Make the outside namespace under `dir`, optionally with a default route back through the host. */
export function makeOutside(dir: string, opts: { defaultRoute?: boolean; ipv6?: boolean } = {}): Outside {
  const ns = join(dir, "outside");
  sh("touch", ns);
  sh("unshare", `--net=${ns}`, "true");
  sh("ip", "link", "add", "vhost0", "type", "veth", "peer", "name", "vout0");
  sh("ip", "link", "set", "vout0", "netns", ns);
  sh("ip", "addr", "add", `${HOST_ADDR}/24`, "dev", "vhost0");
  sh("ip", "addr", "add", `${HOST_ADDR2}/24`, "dev", "vhost0");
  sh("ip", "link", "set", "vhost0", "up");
  sh("nsenter", `--net=${ns}`, "ip", "addr", "add", `${OUTSIDE_ADDR}/24`, "dev", "vout0");
  sh("nsenter", `--net=${ns}`, "ip", "link", "set", "vout0", "up");
  sh("nsenter", `--net=${ns}`, "ip", "link", "set", "lo", "up");
  if (opts.defaultRoute) sh("nsenter", `--net=${ns}`, "ip", "route", "add", "default", "via", HOST_ADDR);
  if (opts.ipv6) {
    sh("ip", "addr", "add", `${HOST_ADDR6}/64`, "dev", "vhost0", "nodad");
    sh("ip", "addr", "add", `${HOST_ADDR6_2}/64`, "dev", "vhost0", "nodad");
    sh("nsenter", `--net=${ns}`, "ip", "addr", "add", `${OUTSIDE_ADDR6}/64`, "dev", "vout0", "nodad");
    if (opts.defaultRoute) sh("nsenter", `--net=${ns}`, "ip", "-6", "route", "add", "default", "via", HOST_ADDR6);
  }
  return {
    ns,
    remove() {
      spawnSync("ip", ["link", "del", "vhost0"]);
      spawnSync("umount", [ns]);
      spawnSync("rm", ["-f", ns]);
    },
  };
}

/**
 * The common fixture of the files that test traffic from outside: a
 * BerthSandbox and an outside machine, made before the file's tests (inside
 * the test sandbox only) and removed after them. `use` receives both.
 */
export function sandboxWithOutside(opts: { defaultRoute?: boolean; ipv6?: boolean }, use: (b: BerthSandbox, outside: Outside) => void): void {
  let b: BerthSandbox | undefined;
  let outside: Outside | undefined;
  before(() => {
    if (!inSandbox()) return;
    b = new BerthSandbox();
    outside = makeOutside(b.root, opts);
    use(b, outside);
  });
  after(() => {
    outside?.remove();
    b?.dispose();
  });
}
