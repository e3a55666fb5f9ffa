import type { ContainerProcessSpec, ContainerState, ExecOptions, OciConfig, ProcessResult } from "../../runtime/index.js";
import type { ContainerRuntime, Resolver } from "../deps/index.js";
import type { ChangePlan } from "./planned-change.js";

/**
 * The OCI runtime in a dry run: state, configs and logs are read from the
 * real runtime; a kill, stop, delete or exec is recorded. Starting the
 * container is recorded and is where the dry run ends (`started`): what
 * follows depends on the command itself. The promise of that start never
 * settles, so the verb goes no further.
 */
export class RecordingRuntime implements ContainerRuntime {
  readonly #real: ContainerRuntime;
  readonly #plan: ChangePlan;
  readonly #label: (id: string) => string;
  readonly #onStart: () => void;

  /** `label` names a container in the plan; `onStart` is called when the verb would start one. */
  constructor(real: ContainerRuntime, plan: ChangePlan, label: (id: string) => string, onStart: () => void) {
    this.#real = real;
    this.#plan = plan;
    this.#label = label;
    this.#onStart = onStart;
  }

  get binary(): string {
    return this.#real.binary;
  }
  get stateRoot(): string {
    return this.#real.stateRoot;
  }
  forgetBinary(): void {
    // nothing cached here
  }

  writeBundle(spec: ContainerProcessSpec): void {
    this.#plan.add("runtime", `write the OCI bundle of ${spec.name}`);
  }

  runForeground(spec: ContainerProcessSpec): Promise<ProcessResult> {
    return this.#start(`start ${JSON.stringify(spec.args.join(" "))} with the OCI runtime in the foreground`);
  }

  startDetached(spec: ContainerProcessSpec): Promise<{ pid: number }> {
    return this.#start(`start ${JSON.stringify(spec.args.join(" "))} with the OCI runtime, watched by conmon`);
  }

  startBundle(spec: { id: string; name: string; tty: boolean }): Promise<{ pid: number }> {
    return this.#start(`start ${spec.name} from its bundle, watched by conmon`);
  }

  exec(id: string, args: readonly string[], _opts?: ExecOptions): Promise<ProcessResult> {
    this.#plan.add("runtime", `run ${JSON.stringify(args.join(" "))} inside ${this.#label(id)}`);
    return Promise.resolve({ exitCode: 0 });
  }

  state(id: string): Promise<ContainerState> {
    return this.#real.state(id);
  }

  stop(id: string, timeoutSec: number, signal = "SIGTERM"): Promise<void> {
    this.#plan.add("runtime", `stop ${this.#label(id)} (${signal}, then SIGKILL after ${timeoutSec} s)`);
    return Promise.resolve();
  }

  delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    this.#plan.add("runtime", `${opts.force ? "kill (if it runs) and " : ""}delete container ${this.#label(id)}`);
    return Promise.resolve();
  }

  kill(id: string, signal: string): Promise<void> {
    this.#plan.add("runtime", `send ${signal} to ${this.#label(id)}`);
    return Promise.resolve();
  }

  bundleConfig(id: string, bundleDir?: string): OciConfig | undefined {
    return this.#real.bundleConfig(id, bundleDir);
  }
  exitCode(id: string): number | undefined {
    return this.#real.exitCode(id);
  }
  logPath(id: string, bundleDir?: string): string {
    return this.#real.logPath(id, bundleDir);
  }
  readLogs(id: string, bundleDir?: string): string {
    return this.#real.readLogs(id, bundleDir);
  }
  waitMonitorGone(): Promise<boolean> {
    return Promise.resolve(true);
  }

  #start<T>(text: string): Promise<T> {
    this.#plan.add("runtime", text);
    this.#onStart();
    return new Promise<T>(() => {
      // never settles: the dry run ends where the container would start
    });
  }
}

/** The resolver in a dry run: serving the new zone is recorded. */
export function recordingResolver(plan: ChangePlan): Resolver {
  let recorded = false;
  return {
    serve() {
      if (!recorded) plan.add("dns", "the resolver serves the new zone (started if it is not running)");
      recorded = true;
      return Promise.resolve();
    },
  };
}
