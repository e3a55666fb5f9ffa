import { readFileSync } from "node:fs";
import { BerthError } from "../errors.js";

/**
 * Why the runtime could not start a container's command, read from its
 * message as Podman reads it: "executable file not found" or "no such file
 * or directory" means the command is not there (Podman exits 127), "permission
 * denied" or "is a directory" means it cannot be run (126). Undefined for
 * any other failure, which stays Berth's own (125).
 */
export function startFailure(message: string): BerthError | undefined {
  // runc: `exec: "cmd": executable file not found in $PATH` (quotes escaped when conmon passes it on)
  const m = /exec: \\?"(.+?)\\?": ([^"\n]*)/.exec(message);
  const command = m?.[1] ?? "";
  const why = (m?.[2] ?? message).trim();
  if (/executable file not found|no such file or directory/.test(why)) {
    return new BerthError("COMMAND_NOT_FOUND", `command "${command}" not found: ${why}`, {
      hint: "Check the command's name and the container's PATH, or give its full path inside the root filesystem",
    });
  }
  if (/permission denied|is a directory/.test(why)) {
    return new BerthError("COMMAND_NOT_INVOKABLE", `command "${command}" cannot be invoked: ${why}`, {
      hint: "The command must be an executable file (mode +x) inside the container's root filesystem",
    });
  }
  return undefined;
}

/** The error messages in a runtime log written with `--log FILE --log-format json` ("" if none). */
export function runtimeLogErrors(path: string): string {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  const out: string[] = [];
  for (const line of text.split("\n")) {
    try {
      const v = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((v.level === "error" || v.level === "fatal") && typeof v.msg === "string") out.push(v.msg);
    } catch {
      // a torn line
    }
  }
  return out.join("\n");
}
