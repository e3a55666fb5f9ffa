import { statSync } from "node:fs";
import { BerthError, messageOf } from "../errors.js";
import { execFileSync, type ExecResult } from "../exec.js";

/**
 * firewalld over the system bus, as netavark talks to it: is it running,
 * which zone holds a source, add or remove a source of a zone (runtime
 * configuration only, never `--permanent`). Each call is one `dbus-send`
 * run with an argv (Debian's firewalld depends on dbus, which brings it).
 */

/** The well-known bus name firewalld owns while it runs. */
export const FIREWALLD_BUS_NAME = "org.fedoraproject.FirewallD1";
const FIREWALLD_PATH = "/org/fedoraproject/FirewallD1";
const ZONE_INTERFACE = "org.fedoraproject.FirewallD1.zone";
/** The system bus when DBUS_SYSTEM_BUS_ADDRESS is not set (what libdbus and zbus use). */
export const DEFAULT_SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";
const REPLY_TIMEOUT_MS = 10_000;

/** The system bus address a D-Bus client uses: DBUS_SYSTEM_BUS_ADDRESS, or the well-known socket. */
export function systemBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  const a = env["DBUS_SYSTEM_BUS_ADDRESS"];
  return a === undefined || a.trim() === "" ? DEFAULT_SYSTEM_BUS : a.trim();
}

/**
 * The socket file of the first `unix:path=` entry of a D-Bus address
 * (entries are separated by `;`, keys by `,`, values percent-escaped), or
 * undefined when the address names no socket file (an abstract socket, TCP):
 * then only asking the bus tells whether it is there.
 */
export function busSocketPath(address: string): string | undefined {
  for (const entry of address.split(";")) {
    const colon = entry.indexOf(":");
    if (colon < 0 || entry.slice(0, colon) !== "unix") continue;
    for (const kv of entry.slice(colon + 1).split(",")) {
      const eq = kv.indexOf("=");
      if (eq > 0 && kv.slice(0, eq) === "path") {
        try {
          return decodeURIComponent(kv.slice(eq + 1));
        } catch {
          return kv.slice(eq + 1);
        }
      }
    }
    return undefined;
  }
  return undefined;
}

/** How a call is run (tests give a fake): the program, its argv, and what it printed. */
export type DbusRunner = (file: string, args: readonly string[]) => ExecResult;

const runDbusSend: DbusRunner = (file, args) => execFileSync(file, args, { timeoutMs: REPLY_TIMEOUT_MS + 2_000 });

/** A D-Bus argument as dbus-send writes it (`string:VALUE`). */
function str(value: string): string {
  return `string:${value}`;
}

/** The values of a `dbus-send --print-reply` answer: its strings and booleans, in order (array items included). */
export function parseDbusSendReply(stdout: string): (string | boolean)[] {
  const out: (string | boolean)[] = [];
  for (const line of stdout.split("\n").slice(1)) {
    const s = /^\s*string "(.*)"\s*$/.exec(line);
    if (s) {
      out.push(s[1] ?? "");
      continue;
    }
    const b = /^\s*boolean (true|false)\s*$/.exec(line);
    if (b) out.push(b[1] === "true");
  }
  return out;
}

/** firewalld's error name from dbus-send's stderr (`Error org.fedoraproject.FirewallD1.Exception: ZONE_ALREADY_SET: ...`). */
export function dbusErrorText(stderr: string): string {
  const line = stderr.split("\n").find((l) => l.startsWith("Error ")) ?? stderr.trim().split("\n")[0] ?? "";
  return line.replace(/^Error [^:]+: /, "").trim();
}

/** firewalld on one bus address. */
export class FirewalldBus {
  constructor(
    readonly address: string,
    readonly run: DbusRunner = runDbusSend,
  ) {}

  /**
   * Whether firewalld owns its name on the bus. Costs one stat when the
   * bus socket is absent (the common case without firewalld): no process
   * is started then.
   */
  running(): boolean {
    const socket = busSocketPath(this.address);
    if (socket !== undefined) {
      try {
        if (!statSync(socket).isSocket()) return false;
      } catch {
        return false;
      }
    }
    const r = this.#call(
      "org.freedesktop.DBus",
      "/org/freedesktop/DBus",
      "org.freedesktop.DBus.NameHasOwner",
      [str(FIREWALLD_BUS_NAME)],
      "ask the system bus whether firewalld runs",
      true,
    );
    if (r === undefined) return false;
    return r[0] === true;
  }

  /** The zone a source (an address or CIDR) is bound to, "" when none. */
  zoneOfSource(source: string): string {
    const r = this.#zoneCall("getZoneOfSource", [str(source)], `ask firewalld which zone holds ${source}`);
    const z = r[0];
    return typeof z === "string" ? z : "";
  }

  /** Bind a source to a zone (runtime configuration). */
  addSource(zone: string, source: string): void {
    this.#zoneCall("addSource", [str(zone), str(source)], `add ${source} to firewalld's ${zone} zone`);
  }

  /** Unbind a source from a zone (runtime configuration). */
  removeSource(zone: string, source: string): void {
    this.#zoneCall("removeSource", [str(zone), str(source)], `remove ${source} from firewalld's ${zone} zone`);
  }

  /** The sources of a zone (runtime configuration). */
  sources(zone: string): string[] {
    return this.#zoneCall("getSources", [str(zone)], `list the sources of firewalld's ${zone} zone`).filter((v): v is string => typeof v === "string");
  }

  #zoneCall(method: string, args: readonly string[], what: string): (string | boolean)[] {
    return this.#call(FIREWALLD_BUS_NAME, FIREWALLD_PATH, `${ZONE_INTERFACE}.${method}`, args, what, false) ?? [];
  }

  /** One method call; `quietNoBus`: undefined instead of an error when nothing answers on the address. */
  #call(dest: string, path: string, member: string, args: readonly string[], what: string, quietNoBus: boolean): (string | boolean)[] | undefined {
    const argv = [`--bus=${this.address}`, "--print-reply", `--reply-timeout=${REPLY_TIMEOUT_MS}`, `--dest=${dest}`, path, member, ...args];
    let r: ExecResult;
    try {
      r = this.run("dbus-send", argv);
    } catch (e) {
      if (e instanceof BerthError && e.code === "MISSING_DEPENDENCY") {
        throw new BerthError("FIREWALLD", `Cannot ${what}: dbus-send is not installed, and a system bus is there (${this.address})`, {
          hint: "Install dbus-send (Debian: apt-get install dbus-bin), so Berth can tell whether firewalld runs and let its networks through it",
          cause: e,
        });
      }
      // a bus that takes the connection and never answers: dbus-send is killed after its timeout
      throw new BerthError("FIREWALLD", `Cannot ${what}: no answer from the system bus at ${this.address}: ${messageOf(e)}`, {
        hint: "Check the D-Bus daemon (busctl status, journalctl -u dbus) and firewalld (firewall-cmd --state); `berth system reconcile` tries again",
        cause: e,
      });
    }
    if (r.code === 0) return parseDbusSendReply(r.stdout);
    const text = dbusErrorText(r.stderr);
    if (quietNoBus && /Failed to connect|No such file|Connection refused|NoServer/i.test(r.stderr)) return undefined;
    throw new BerthError("FIREWALLD", `Cannot ${what}: ${text || `dbus-send exited ${r.code}`}`, {
      hint: "Check firewalld with `firewall-cmd --state` and its log (journalctl -u firewalld); `berth system reconcile` tries again",
    });
  }
}
