// A minimal CNI runtime for tests and benchmarks: executes plugins from
// CNI_PATH as the specification says (environment, config on stdin,
// prevResult through a conflist, DEL in reverse order).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

export interface PluginCall {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON, when it is. */
  readonly json: Record<string, unknown> | undefined;
}

export interface CniInvocation {
  readonly command: string;
  readonly containerId?: string;
  readonly netns?: string;
  readonly ifname?: string;
  readonly args?: string;
}

export class CniRuntime {
  constructor(
    readonly cniPath: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Run one plugin (`type` from the config) with the given raw stdin. */
  call(type: string, inv: CniInvocation, stdin: string, extraEnv: NodeJS.ProcessEnv = {}): PluginCall {
    const r = spawnSync(join(this.cniPath, type), [], { env: this.#envOf(inv, extraEnv), input: stdin, encoding: "utf8", timeout: 60_000 });
    return callOf(r.status ?? 1, r.stdout ?? "", r.stderr ?? "");
  }

  /** The same without waiting, so a test can overlap calls as a runtime retrying does. */
  callAsync(type: string, inv: CniInvocation, stdin: string, extraEnv: NodeJS.ProcessEnv = {}, onStderr?: (text: string) => void): Promise<PluginCall> {
    return new Promise((resolve, reject) => {
      const p = spawn(join(this.cniPath, type), [], { env: this.#envOf(inv, extraEnv), stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
      let stdout = "";
      let stderr = "";
      p.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      p.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        onStderr?.(stderr);
      });
      p.on("error", reject);
      p.on("close", (code) => resolve(callOf(code ?? 1, stdout, stderr)));
      p.stdin.end(stdin);
    });
  }

  #envOf(inv: CniInvocation, extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return {
      ...this.env,
      CNI_COMMAND: inv.command,
      CNI_PATH: this.cniPath,
      ...(inv.containerId !== undefined ? { CNI_CONTAINERID: inv.containerId } : {}),
      ...(inv.netns !== undefined ? { CNI_NETNS: inv.netns } : {}),
      ...(inv.ifname !== undefined ? { CNI_IFNAME: inv.ifname } : {}),
      ...(inv.args !== undefined ? { CNI_ARGS: inv.args } : {}),
      ...extraEnv,
    };
  }

  /**
   * Run a conflist: ADD in order (each plugin after the first gets
   * prevResult), DEL and CHECK in reverse / in order with the last result.
   * Stops at the first failure and returns that call.
   */
  list(
    conflist: { cniVersion: string; name: string; plugins: readonly Record<string, unknown>[] },
    inv: CniInvocation,
    runtimeConfig?: Record<string, unknown>,
    prevResult?: unknown,
  ): PluginCall {
    const plugins = inv.command === "DEL" ? [...conflist.plugins].reverse() : conflist.plugins;
    let prev = prevResult;
    let last: PluginCall = { code: 0, stdout: "", stderr: "", json: undefined };
    for (const p of plugins) {
      const conf: Record<string, unknown> = { ...p, cniVersion: conflist.cniVersion, name: conflist.name };
      const caps = (p["capabilities"] ?? {}) as Record<string, boolean>;
      const rc = Object.fromEntries(Object.entries(runtimeConfig ?? {}).filter(([k]) => caps[k]));
      if (Object.keys(rc).length) conf["runtimeConfig"] = rc;
      if (prev !== undefined) conf["prevResult"] = prev;
      last = this.call(String(p["type"]), inv, JSON.stringify(conf));
      if (last.code !== 0) return last;
      if (inv.command === "ADD") prev = last.json;
    }
    return last;
  }
}

function callOf(code: number, stdout: string, stderr: string): PluginCall {
  let json: Record<string, unknown> | undefined;
  try {
    json = stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}
