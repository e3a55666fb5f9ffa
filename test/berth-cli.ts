import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempRoot } from "./helpers.js";

/**
 * The CLI as users run it: bin/berth, through the bundle `npm run build`
 * makes. Started with this node (not through its `env` shebang, so that a
 * test may take `node` off PATH) and, as the shebang does, without
 * NODE_EXTRA_CA_CERTS.
 */
const BERTH = fileURLToPath(new URL("../../bin/berth", import.meta.url));

function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out["NODE_EXTRA_CA_CERTS"];
  return out;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A berth installation confined to a temp BERTH_ROOT inside the test sandbox:
 * run CLI verbs, look at the kernel, and prove at the end that nothing Berth
 * made is left behind.
 */
export class BerthSandbox {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly #cleanup: () => void;

  constructor() {
    const t = tempRoot();
    this.root = t.root;
    this.env = t.env;
    this.#cleanup = t.cleanup;
  }

  /** Run `berth ARGS...` synchronously. */
  run(...args: string[]): CliResult {
    const r = spawnSync(process.execPath, [BERTH, ...args], { env: cliEnv(this.env), encoding: "utf8", timeout: 180_000 });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** Run `berth ARGS...` and fail the test with its stderr unless it succeeds. */
  ok(...args: string[]): string {
    const r = this.run(...args);
    if (r.code !== 0) throw new Error(`berth ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Run with extra environment (fault injection). */
  runWith(env: NodeJS.ProcessEnv, ...args: string[]): CliResult {
    const r = spawnSync(process.execPath, [BERTH, ...args], { env: cliEnv({ ...this.env, ...env }), encoding: "utf8", timeout: 180_000 });
    return { code: r.status ?? (r.signal === "SIGKILL" ? 137 : 1), stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /**
   * Give Berth an empty host resolv.conf (BERTH_RESOLV_CONF): the sandbox
   * has no way out, so the servers in the resolv.conf it inherits are
   * unreachable, and doctor rightly says so (DNS_UPSTREAM_UNREACHABLE).
   * Call before the first container of a DNS network starts the resolver.
   */
  withoutUpstreamDns(): this {
    const file = join(this.root, "empty-resolv.conf");
    writeFileSync(file, "");
    this.env["BERTH_RESOLV_CONF"] = file;
    return this;
  }

  /** Run `berth ARGS...` as the last arguments of another program (e.g. under `ip netns exec NAME`). */
  runUnder(wrapper: readonly string[], ...args: string[]): CliResult {
    const r = spawnSync(wrapper[0] ?? "", [...wrapper.slice(1), process.execPath, BERTH, ...args], {
      env: cliEnv(this.env),
      encoding: "utf8",
      timeout: 180_000,
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** Start `berth ARGS...` without waiting (for concurrency tests). */
  start(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BERTH, ...args], { env: cliEnv(this.env) });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** Start `berth ARGS...` and hand back the process (for long-running verbs: --watch, --serve). */
  spawn(...args: string[]): ChildProcess {
    return spawn(process.execPath, [BERTH, ...args], { env: cliEnv(this.env), stdio: ["ignore", "pipe", "pipe"] });
  }

  ip(name: string): string {
    return this.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name).trim();
  }

  netns(name: string): string {
    return this.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", name).trim();
  }

  /** Run a program inside a container's network namespace (from the host side). */
  inNetns(path: string, ...argv: string[]): CliResult {
    const r = spawnSync("nsenter", [`--net=${path}`, ...argv], { encoding: "utf8", timeout: 30_000 });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /**
   * What Berth-made kernel objects and processes exist in the sandbox. The
   * kernel destroys a deleted namespace's veths asynchronously, so this
   * waits up to 3 s for the list to empty before reporting it.
   */
  leftovers(): string[] {
    const deadline = Date.now() + 3000;
    let found = this.#scan();
    while (found.length > 0 && Date.now() < deadline) {
      spawnSync("sleep", ["0.1"]);
      found = this.#scan();
    }
    return found;
  }

  #scan(): string[] {
    const out: string[] = [];
    const links = spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" });
    for (const l of JSON.parse(links.stdout || "[]") as { ifname: string }[]) {
      if (/^(bth|berth|bmv)/.test(l.ifname)) out.push(`link ${l.ifname}`);
    }
    const nft = spawnSync("nft", ["list", "tables"], { encoding: "utf8" });
    if (/berth/.test(nft.stdout)) out.push("nft table inet berth");
    const nsDir = join(this.root, "netns");
    if (existsSync(nsDir)) for (const f of readdirSync(nsDir)) out.push(`netns ${f}`);
    const ps = spawnSync("ps", ["-eo", "stat=,args="], { encoding: "utf8" });
    for (const line of ps.stdout.split("\n")) {
      const [stat, ...args] = line.trim().split(/\s+/);
      if (!stat?.startsWith("Z") && line.includes(this.root) && !line.includes("ps -eo")) out.push(`process ${args.slice(0, 3).join(" ")}`);
    }
    return out;
  }

  /** Reset everything Berth made and remove the temp root. */
  dispose(): void {
    this.run("system", "reset", "-f");
    this.#cleanup();
  }
}
