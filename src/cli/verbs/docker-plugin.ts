import type { Command } from "commander";
import { berthPaths } from "../../paths.js";
import { DEFAULT_PLUGIN_SOCKET, parsePluginSocket } from "../../interop/docker/plugin-socket.js";

interface PluginFlags {
  socket: string;
  logRequests?: boolean;
}

/**
 * `berth docker-plugin enable|disable|status`: the Berth service answers
 * Docker's network and IPAM driver protocols on the plugin socket whenever
 * it runs (docs/docker.md). `berth docker-plugin` alone serves them in the
 * foreground, without the service, until SIGTERM or SIGINT (debugging).
 */
export function registerDockerPlugin(program: Command): void {
  const plugin = program
    .command("docker-plugin")
    .description(
      "Berth as Docker's network driver and IPAM driver (-d berth --ipam-driver berth): `enable` has the Berth service serve it; alone, serve it in the foreground",
    )
    .option("--socket <path>", "the plugin socket dockerd finds (its file name is the driver's name)", DEFAULT_PLUGIN_SOCKET)
    .option("--log-requests", "write each request dockerd sends, with its body, to stderr")
    .action(async (f: PluginFlags) => {
      const { startDockerPluginServer } = await import("../../interop/docker/server.js");
      const server = await startDockerPluginServer({
        socket: parsePluginSocket(f.socket),
        ...(f.logRequests
          ? {
              onRequest: (method: string, body: object, ms: number) =>
                process.stderr.write(`berth docker-plugin: ${method} ${JSON.stringify(body)} (${ms.toFixed(1)} ms)\n`),
            }
          : {}),
        onError: (method, e) => process.stderr.write(`berth docker-plugin: ${method}: ${e instanceof Error ? e.message : String(e)}\n`),
      });
      process.stdout.write(`listening on ${server.socket}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGTERM", resolve);
        process.once("SIGINT", resolve);
      });
      await server.close();
    });

  plugin
    .command("enable")
    .description("Have the Berth service serve Docker's plugin socket now and whenever it starts")
    .option("--socket <path>", "the plugin socket dockerd finds (its file name is the driver's name)", DEFAULT_PLUGIN_SOCKET)
    .option("--log-requests", "write each request dockerd sends, with its body, to the service's log")
    .action(async (f: PluginFlags) => {
      const socket = parsePluginSocket(f.socket);
      const { writeDockerPluginConfig } = await import("../../interop/docker/plugin-config.js");
      const config = { socket, logRequests: f.logRequests ?? false };
      const host = await residentHost();
      writeDockerPluginConfig(berthPaths(), config);
      if (host === undefined) {
        process.stdout.write(`enabled: the Berth service serves ${socket} from its next start\n`);
        process.stderr.write(
          "Warning: this command did not run in the Berth service (BERTH_NO_SERVICE=1, or the service runs in another mount namespace); stop it (SIGTERM to the pid in service.pid of the run dir): the next berth command starts one that serves it\n",
        );
        return;
      }
      await host.open({ socket }, config);
      process.stdout.write(`enabled: the Berth service (pid ${process.pid}) serves ${socket}, and does whenever it starts\n`);
    });

  plugin
    .command("disable")
    .description("Stop serving Docker's plugin socket in the Berth service, now and at its next start")
    .action(async () => {
      const { removeDockerPluginConfig } = await import("../../interop/docker/plugin-config.js");
      removeDockerPluginConfig(berthPaths());
      await (await residentHost())?.close();
      process.stdout.write("disabled\n");
    });

  plugin
    .command("status")
    .description("Whether the Berth service serves Docker's plugin socket, and where")
    .action(async () => {
      const { readDockerPluginConfig } = await import("../../interop/docker/plugin-config.js");
      const config = readDockerPluginConfig(berthPaths());
      const serving = (await residentHost())?.serving;
      process.stdout.write(`enabled: ${config === undefined ? "no" : `yes (${config.socket})`}\nserving: ${serving ?? "no"}\n`);
    });
}

/** The Berth service's plugin host, when this command runs in the service. */
async function residentHost(): Promise<import("../../service/docker-plugin-host.js").DockerPluginHost | undefined> {
  return (await import("../../service/docker-plugin-host.js")).residentDockerPluginHost();
}
