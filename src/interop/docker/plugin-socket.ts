import { lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { dirname, isAbsolute } from "node:path";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";

/** Where dockerd looks for plugin sockets; the socket's file name is the driver's name. */
export const DEFAULT_PLUGIN_SOCKET = "/run/docker/plugins/berth.sock";

/** A plugin socket path as given (--socket, the service's config): absolute, ending in .sock (dockerd's rule for its plugin directory). */
export function parsePluginSocket(path: string): string {
  if (!isAbsolute(path) || !path.endsWith(".sock") || path.length > 107 || /[\0\n]/.test(path)) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `Invalid Docker plugin socket "${printable(path)}": it must be an absolute path ending in .sock, at most 107 bytes`,
      {
        hint: `dockerd finds NAME.sock in /run/docker/plugins as the driver NAME; the default is ${DEFAULT_PLUGIN_SOCKET}`,
      },
    );
  }
  return path;
}

/**
 * The socket's directory exists; a socket left by an earlier run (nothing
 * accepts on it) is removed. A socket another process serves (a foreground
 * `berth docker-plugin`, another service) and anything that is not a
 * socket are refused.
 */
export async function preparePluginSocket(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new BerthError("FILE_CONFLICT", `${path} exists and is not a socket`, { hint: "Remove it, or give another path with --socket" });
  }
  if (await answers(path)) {
    throw new BerthError("FILE_CONFLICT", `Another process serves ${path}`, {
      hint: "Stop it first (a foreground `berth docker-plugin`, or the Berth service of another BERTH_ROOT: `berth docker-plugin disable` there)",
    });
  }
  unlinkSync(path);
}

/** Whether something accepts connections on the Unix socket `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
