import { execFile } from "../../exec.js";
import { BerthError } from "../../errors.js";
import { parseIfName } from "../../model/names.js";

/**
 * dockerd with its iptables rules on (the default) sets the policy of
 * iptables' filter FORWARD chain to DROP and loads br_netfilter, so that
 * every forwarded packet, and with bridge-nf-call-iptables every frame
 * between two ports of one bridge, is dropped unless one of Docker's rules
 * accepts it. A Berth network's traffic would be dropped there although
 * Berth's own table accepts it. Docker's documented place for rules of
 * one's own is the DOCKER-USER chain, evaluated first: a Berth bridge gets
 * two rules there, accepting what comes from it and what goes to it.
 * Berth's own table (`inet berth`) still filters that traffic: a packet
 * has to pass both. Without the chain (dockerd with `--iptables=false`)
 * there is nothing to open.
 */
export const DOCKER_USER_CHAIN = "DOCKER-USER";
const IPTABLES = "iptables";

function rules(bridge: string): string[][] {
  const b = parseIfName(bridge, "bridge");
  const comment = ["-m", "comment", "--comment", `berth bridge ${b}`, "-j", "ACCEPT"];
  return [
    ["-i", b, ...comment],
    ["-o", b, ...comment],
  ];
}

async function iptables(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  try {
    return await execFile(IPTABLES, ["-w", "5", ...args], { timeoutMs: 15_000 });
  } catch (e) {
    // no iptables at all: nothing of Docker's can drop the traffic either
    if (e instanceof BerthError && e.code === "MISSING_DEPENDENCY") return { code: 1, stderr: "" };
    throw e;
  }
}

async function chainExists(): Promise<boolean> {
  return (await iptables(["-t", "filter", "-S", DOCKER_USER_CHAIN])).code === 0;
}

/** Accept the bridge's traffic in DOCKER-USER (once; nothing when the chain is missing). Returns whether the chain is there. */
export async function openDockerUserChain(bridge: string): Promise<boolean> {
  if (!(await chainExists())) return false;
  for (const r of rules(bridge)) {
    if ((await iptables(["-t", "filter", "-C", DOCKER_USER_CHAIN, ...r])).code === 0) continue;
    const add = await iptables(["-t", "filter", "-I", DOCKER_USER_CHAIN, ...r]);
    if (add.code !== 0) {
      throw new BerthError("FIREWALL", `Cannot accept bridge ${bridge}'s traffic in iptables chain ${DOCKER_USER_CHAIN}: ${add.stderr.trim()}`, {
        hint: "dockerd's FORWARD policy would drop the network's traffic; check `iptables -S DOCKER-USER`",
      });
    }
  }
  return true;
}

/** Remove the bridge's rules from DOCKER-USER (each as often as it is there; a sweep that ignores what is gone). */
export async function closeDockerUserChain(bridge: string): Promise<void> {
  if (!(await chainExists())) return;
  for (const r of rules(bridge)) {
    for (let i = 0; i < 8; i++) if ((await iptables(["-t", "filter", "-D", DOCKER_USER_CHAIN, ...r])).code !== 0) break;
  }
}
