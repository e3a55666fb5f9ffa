import type { BerthPaths } from "../../paths.js";
import { Runtime, type ContainerProcessSpec, type ContainerState, type ExecOptions, type OciConfig, type ProcessResult } from "../../runtime/index.js";
import type { ContainerRuntime } from "../deps/index.js";
import type { FaultPlan } from "./fault-plan.js";

/**
 * The OCI runtime in memory: which containers it knows and whether they
 * run. Bundles are written as the real runtime writes them (files in the
 * test's run directory), so `start` finds its config.json. Every call that
 * would run runc or conmon goes through the FaultPlan.
 */
export class FakeRuntime implements ContainerRuntime {
  /** Containers the runtime knows, with their state. */
  readonly containers = new Map<string, "running" | "stopped">();
  /** Exit code a foreground run reports. */
  exitCodeOfRun = 0;
  readonly #files: Runtime;
  #nextPid = 40_000;

  constructor(
    paths: BerthPaths,
    readonly faults: FaultPlan,
  ) {
    this.#files = new Runtime(paths, { binary: "/nonexistent/runc" });
  }

  get binary(): string {
    return "/fake/runc";
  }

  /** Nothing cached to forget: the fake has no binary to look up. */
  forgetBinary(): void {}

  get stateRoot(): string {
    return this.#files.stateRoot;
  }

  writeBundle(spec: ContainerProcessSpec, bundleDir: string): void {
    this.faults.step("runtime", `writeBundle ${spec.name}`);
    this.#files.writeBundle(spec, bundleDir);
  }

  runForeground(spec: ContainerProcessSpec, bundleDir: string): Promise<ProcessResult> {
    this.faults.step("runtime", `runForeground ${spec.name}`);
    this.#files.writeBundle(spec, bundleDir);
    return Promise.resolve({ exitCode: this.exitCodeOfRun });
  }

  startDetached(spec: ContainerProcessSpec, bundleDir: string): Promise<{ pid: number }> {
    this.faults.step("runtime", `startDetached ${spec.name}`);
    this.#files.writeBundle(spec, bundleDir);
    this.containers.set(spec.id, "running");
    return Promise.resolve({ pid: this.#nextPid++ });
  }

  startBundle(spec: { id: string; name: string; tty: boolean }): Promise<{ pid: number }> {
    this.faults.step("runtime", `startBundle ${spec.name}`);
    this.containers.set(spec.id, "running");
    return Promise.resolve({ pid: this.#nextPid++ });
  }

  exec(id: string, args: readonly string[], _opts: ExecOptions = {}): Promise<ProcessResult> {
    this.faults.step("runtime", `exec ${id.slice(0, 12)} ${args.join(" ")}`);
    return Promise.resolve({ exitCode: 0 });
  }

  state(id: string): Promise<ContainerState> {
    this.faults.step("runtime", `state ${id.slice(0, 12)}`);
    const s = this.containers.get(id);
    return Promise.resolve(s === undefined ? { status: "missing", pid: undefined } : { status: s, pid: s === "running" ? 1 : undefined });
  }

  stop(id: string): Promise<void> {
    this.faults.step("runtime", `stop ${id.slice(0, 12)}`);
    if (this.containers.has(id)) this.containers.set(id, "stopped");
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.faults.step("runtime", `delete ${id.slice(0, 12)}`);
    this.containers.delete(id);
    return Promise.resolve();
  }

  kill(id: string, signal: string): Promise<void> {
    this.faults.step("runtime", `kill ${id.slice(0, 12)} ${signal}`);
    return Promise.resolve();
  }

  bundleConfig(id: string, bundleDir?: string): OciConfig | undefined {
    return this.#files.bundleConfig(id, bundleDir);
  }

  exitCode(id: string): number | undefined {
    return this.#files.exitCode(id);
  }

  logPath(id: string, bundleDir?: string): string {
    return this.#files.logPath(id, bundleDir);
  }

  readLogs(id: string, bundleDir?: string): string {
    return this.#files.readLogs(id, bundleDir);
  }

  waitMonitorGone(): Promise<boolean> {
    return Promise.resolve(true);
  }

  snapshot(): string[] {
    return [...this.containers].map(([id, s]) => `${id.slice(0, 12)} ${s}`).sort();
  }
}
