// A CRI client (runtime.v1 over gRPC on a unix socket), as a kubelet talks
// to containerd: only the calls Berth's CRI test and bench make. The
// messages are in runtime-v1.proto beside this file's source.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const PROTO = fileURLToPath(new URL("../../../test/cri/runtime-v1.proto", import.meta.url));

export interface PodSandboxConfig {
  readonly metadata: { readonly name: string; readonly uid: string; readonly namespace: string; readonly attempt?: number };
  readonly hostname?: string;
  readonly dnsConfig?: { readonly servers?: readonly string[]; readonly searches?: readonly string[]; readonly options?: readonly string[] };
  readonly portMappings?: readonly { readonly protocol?: "TCP" | "UDP"; readonly containerPort: number; readonly hostPort: number; readonly hostIp?: string }[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ContainerConfig {
  readonly metadata: { readonly name: string; readonly attempt?: number };
  readonly image: { readonly image: string };
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

export interface RuntimeCondition {
  readonly type: string;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

export interface SandboxStatus {
  readonly id: string;
  readonly state: "SANDBOX_READY" | "SANDBOX_NOTREADY";
  readonly network: { readonly ip: string; readonly additionalIps: readonly { readonly ip: string }[] } | null;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

export class CriClient {
  readonly #stub: grpc.Client & Record<string, Unary>;

  constructor(socket: string) {
    const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true, arrays: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } };
    this.#stub = new pkg.runtime.v1.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Unary>;
  }

  #call(method: string, req: object, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const fn = this.#stub[method];
    if (!fn) throw new Error(`no such CRI method ${method}`);
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + timeoutMs);
      fn.call(this.#stub, req, new grpc.Metadata(), { deadline }, (err, res) =>
        err ? reject(new Error(`CRI ${method}: ${err.details || err.message}`)) : resolve(res),
      );
    });
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    const r = await this.#call("Version", { version: "v1" });
    return { runtimeName: String(r["runtimeName"]), runtimeVersion: String(r["runtimeVersion"]), runtimeApiVersion: String(r["runtimeApiVersion"]) };
  }

  async status(): Promise<RuntimeCondition[]> {
    const r = await this.#call("Status", { verbose: false });
    return (r["status"] as { conditions: RuntimeCondition[] } | null)?.conditions ?? [];
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const r = await this.#call("RunPodSandbox", { config });
    return String(r["podSandboxId"]);
  }

  async podSandboxStatus(id: string): Promise<SandboxStatus> {
    const r = await this.#call("PodSandboxStatus", { podSandboxId: id });
    return r["status"] as SandboxStatus;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.#call("StopPodSandbox", { podSandboxId: id });
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.#call("RemovePodSandbox", { podSandboxId: id });
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.#call("CreateContainer", { podSandboxId: sandboxId, config, sandboxConfig });
    return String(r["containerId"]);
  }

  async startContainer(id: string): Promise<void> {
    await this.#call("StartContainer", { containerId: id });
  }

  async execSync(id: string, cmd: readonly string[], timeoutSeconds = 10): Promise<ExecResult> {
    const r = await this.#call("ExecSync", { containerId: id, cmd, timeout: timeoutSeconds }, (timeoutSeconds + 10) * 1000);
    return { stdout: (r["stdout"] as Buffer).toString(), stderr: (r["stderr"] as Buffer).toString(), exitCode: Number(r["exitCode"]) };
  }

  close(): void {
    this.#stub.close();
  }
}
