import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import type { Proto } from "../../model/port-spec.js";
import { hostSockets, type HostSocket } from "../../kernel/proc/host-sockets.js";

/** The process holding a socket. */
export interface SocketOwner {
  readonly pid: number;
  readonly name: string;
  /** Its command line (NUL-separated arguments), to recognize a container's own port holder. */
  readonly argv: readonly string[];
}

/**
 * The host's listening TCP and bound UDP sockets, read once, indexed by
 * (proto, port): publishing many ports looks each one up in a map instead
 * of reading /proc/net again per port. Owners are found with one pass over
 * /proc/PID/fd for all sockets at once, and only when some socket clashes.
 * A snapshot may be taken before the store's write lock, so the scans do
 * not hold up other berth processes.
 */
export class HostPortSnapshot {
  readonly #byPort = new Map<string, HostSocket[]>();
  #owners: Map<number, SocketOwner> | undefined;

  private constructor(sockets: readonly HostSocket[]) {
    for (const s of sockets) {
      const k = `${s.proto} ${s.port}`;
      const list = this.#byPort.get(k);
      if (list) list.push(s);
      else this.#byPort.set(k, [s]);
    }
  }

  static read(): HostPortSnapshot {
    return new HostPortSnapshot([...hostSockets("tcp"), ...hostSockets("udp")]);
  }

  /** For tests: a snapshot of given sockets and owners. */
  static of(sockets: readonly HostSocket[], owners: ReadonlyMap<number, SocketOwner>): HostPortSnapshot {
    const s = new HostPortSnapshot(sockets);
    s.#owners = new Map(owners);
    return s;
  }

  /** Every socket that would clash with publishing (proto, hostIp, port). */
  clashes(proto: Proto, hostIp: string, port: number): HostSocket[] {
    const list = this.#byPort.get(`${proto} ${port}`) ?? [];
    if (hostIp.includes(":")) {
      const v6 = (a: string) => a.includes(":") || a === "ipv6";
      return list.filter((s) => v6(s.address) && (hostIp === "::" || s.address === hostIp || s.address === "::"));
    }
    return list.filter((s) => hostIp === "0.0.0.0" || s.address === hostIp || s.address === "0.0.0.0" || s.address === "::");
  }

  /** Whether any socket binds (proto, port) at all (for picking a random free port). */
  anyOn(proto: Proto, port: number): boolean {
    return this.#byPort.has(`${proto} ${port}`);
  }

  /** The process holding a socket (all owners are read in one /proc pass, the first time). */
  ownerOf(inode: number): SocketOwner | undefined {
    this.#owners ??= readSocketOwners();
    return this.#owners.get(inode);
  }
}

/** inode -> owning process, for every socket of every process, from /proc/PID/fd. */
function readSocketOwners(): Map<number, SocketOwner> {
  const out = new Map<number, SocketOwner>();
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${d}/fd`);
    } catch {
      continue;
    }
    let owner: SocketOwner | undefined;
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${d}/fd/${fd}`);
      } catch {
        continue; // fd closed meanwhile
      }
      const m = /^socket:\[([0-9]+)\]$/.exec(target);
      if (!m) continue;
      const inode = Number(m[1]);
      if (out.has(inode)) continue;
      owner ??= processInfo(Number(d));
      if (owner) out.set(inode, owner);
    }
  }
  return out;
}

function processInfo(pid: number): SocketOwner | undefined {
  try {
    const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a !== "");
    return { pid, name, argv };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * Whether a process is the port holder of container `id`: Podman's conmon
 * (`conmon ... -c ID` or `--cid ID`) keeps the container's published host
 * ports bound so no other program takes them; that is the container's own
 * reservation, not a conflict.
 */
export function isPortHolderOf(owner: SocketOwner, id: string): boolean {
  if (owner.name !== "conmon") return false;
  const a = owner.argv;
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === "-c" || a[i] === "--cid") && a[i + 1] === id) return true;
    if (a[i] === `--cid=${id}`) return true;
  }
  return false;
}
