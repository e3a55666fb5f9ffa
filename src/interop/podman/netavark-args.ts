import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

export type NetavarkCommand =
  | { readonly verb: "version" }
  | { readonly verb: "short-version" }
  | { readonly verb: "setup" | "teardown"; readonly netns: string; readonly file: string | undefined }
  | { readonly verb: "update"; readonly network: string; readonly dnsServers: readonly string[] };

const USAGE =
  "netavark [--config DIR] [--rootless=BOOL] [--aardvark-binary PATH] [--file FILE] setup|teardown NETNS_PATH | update NETWORK --network-dns-servers IP... | version";

function usage(why: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", why, { hint: `Usage: ${USAGE}` });
}

/** Global options netavark takes before the verb; their value is in the next argument or after "=". */
const GLOBAL = new Map([
  ["-c", "config"],
  ["--config", "config"],
  ["-r", "rootless"],
  ["--rootless", "rootless"],
  ["-a", "aardvark-binary"],
  ["--aardvark-binary", "aardvark-binary"],
  ["-f", "file"],
  ["--file", "file"],
]);

/**
 * netavark's command line. --config and --aardvark-binary are accepted and
 * ignored (Berth keeps its own state and runs its own resolver); rootless
 * Podman is refused.
 */
export function parseNetavarkArgs(argv: readonly string[]): NetavarkCommand {
  const opts = new Map<string, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "-V" || a === "--version") return { verb: "short-version" };
    if (!a.startsWith("-")) break;
    const eq = a.indexOf("=");
    const flag = eq < 0 ? a : a.slice(0, eq);
    const key = GLOBAL.get(flag);
    if (key === undefined) throw usage(`Unknown option "${printable(a)}"`);
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw usage(`Option ${flag} needs a value`);
    opts.set(key, value);
  }
  if (opts.get("rootless") === "true") {
    throw new BerthError("PERMISSION", "Berth does not support rootless Podman", { hint: "Run podman as root to use Berth as its network backend" });
  }
  const verb = argv[i];
  const rest = argv.slice(i + 1);
  switch (verb) {
    case "version":
      return { verb };
    case "setup":
    case "teardown": {
      if (rest.length !== 1 || !rest[0]) throw usage(`${verb} takes one argument, the network namespace path`);
      return { verb, netns: rest[0], file: opts.get("file") };
    }
    case "update": {
      let network: string | undefined;
      const dnsServers: string[] = [];
      for (let j = 0; j < rest.length; j++) {
        const a = rest[j] ?? "";
        if (a === "--network-dns-servers" || a.startsWith("--network-dns-servers=")) {
          const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : rest[++j];
          if (v === undefined) throw usage("--network-dns-servers needs a value");
          dnsServers.push(...v.split(",").filter((s) => s !== ""));
        } else if (a.startsWith("-")) {
          throw usage(`Unknown option "${printable(a)}" for update`);
        } else if (network === undefined) {
          network = a;
        } else {
          dnsServers.push(...a.split(",").filter((s) => s !== ""));
        }
      }
      if (network === undefined) throw usage("update needs the network name");
      return { verb, network, dnsServers };
    }
    default:
      throw usage(verb === undefined ? "No command given" : `Unknown command "${printable(verb)}"`);
  }
}
