// firewalld for integration tests, as netavark's bats run it: a D-Bus
// daemon of the test's own (its socket in the test's directory, passed as
// DBUS_SYSTEM_BUS_ADDRESS) and firewalld (nftables backend) on it, inside
// the test sandbox's network namespace, with its configuration in the
// test's directory and a private /run. firewalld is the one
// scripts/install-deps.sh --test unpacked (never installed on the machine).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withPrivateRun } from "./helpers.js";

/** Where install-deps.sh unpacks firewalld (BERTH_TEST_FIREWALLD_DIR moves it). */
export const FIREWALLD_DIR = process.env["BERTH_TEST_FIREWALLD_DIR"] ?? "/var/cache/berth-test/firewalld";
export const FIREWALLD = join(FIREWALLD_DIR, "bin", "firewalld");
export const FIREWALL_CMD = join(FIREWALLD_DIR, "bin", "firewall-cmd");

/** A bus that lets root own and call anything: the test's, not the machine's. */
const busConfig = (
  address: string,
): string => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <auth>EXTERNAL</auth>
  <listen>${address}</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;

export interface TestFirewalld {
  /** DBUS_SYSTEM_BUS_ADDRESS of the test's bus. */
  readonly address: string;
  /** `firewall-cmd ARGS...` on the test's bus: its stdout, or throws with its stderr. */
  cmd(...args: string[]): string;
  /** Start firewalld on the bus (after stop(), or when started with { firewalld: false }). */
  startFirewalld(): void;
  /** Stop firewalld (its table goes with it: CleanupOnExit); the bus stays. */
  stopFirewalld(): void;
  /** Stop firewalld and the bus. */
  stop(): void;
  /** firewalld's log so far (for a failing assertion's message). */
  log(): string;
}

/**
 * The bus address for `dir` without starting anything: a Berth told this
 * address before the bus is up finds no socket and skips firewalld.
 */
export function testBusAddress(dir: string): string {
  return `unix:path=${join(dir, "system_bus_socket")}`;
}

function waitFor(what: string, ok: () => boolean, log: () => string, timeoutMs = 60_000): void {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms:\n${log()}`);
    spawnSync("sleep", ["0.1"]);
  }
}

/** Start the test's bus in `dir`, and firewalld on it unless { firewalld: false }. */
export function startTestFirewalld(dir: string, opts: { firewalld?: boolean } = {}): TestFirewalld {
  if (!existsSync(FIREWALLD) || !existsSync(FIREWALL_CMD))
    throw new Error(`firewalld is not unpacked under ${FIREWALLD_DIR}: run scripts/install-deps.sh --test (never apt-get install firewalld here)`);
  mkdirSync(dir, { recursive: true });
  const address = testBusAddress(dir);
  const config = join(dir, "bus.conf");
  writeFileSync(config, busConfig(address));
  const bus = spawnSync("dbus-daemon", ["--fork", "--print-pid", `--config-file=${config}`], { encoding: "utf8" });
  if (bus.status !== 0) throw new Error(`dbus-daemon: ${bus.stderr}`);
  const busPid = Number(bus.stdout.trim().split("\n")[0]);
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address };
  const logFile = join(dir, "firewalld.log");
  const etc = join(dir, "etc-firewalld");
  mkdirSync(etc, { recursive: true });
  let fw: ChildProcess | undefined;
  const log = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const state = (): boolean => spawnSync(FIREWALL_CMD, ["--state"], { env, encoding: "utf8" }).status === 0;
  const t: TestFirewalld = {
    address,
    cmd(...args) {
      const r = spawnSync(FIREWALL_CMD, args, { env, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`firewall-cmd ${args.join(" ")} exited ${String(r.status)}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    startFirewalld() {
      const out = openSync(logFile, "a");
      // a private /run (firewalld keeps /run/firewalld); --system-config: no file of the machine's /etc
      const [cmd, ...args] = [...withPrivateRun('exec "$@"'), FIREWALLD, "--nopid", "--nofork", "--system-config", etc];
      fw = spawn(cmd ?? "", args, { env, stdio: ["ignore", out, out] });
      waitFor("firewalld", state, log);
    },
    stopFirewalld() {
      const pid = fw?.pid;
      if (alive(pid)) {
        fw?.kill("SIGTERM");
        // a sync wait: the child's exit event cannot come while this loop runs, /proc tells
        waitFor("firewalld's exit", () => !alive(pid), log, 30_000);
      }
      fw = undefined;
    },
    stop() {
      t.stopFirewalld();
      try {
        process.kill(busPid, "SIGTERM");
      } catch {
        // already gone
      }
    },
    log,
  };
  if (opts.firewalld !== false) t.startFirewalld();
  return t;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return !/^Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "");
  } catch {
    return false;
  }
}
