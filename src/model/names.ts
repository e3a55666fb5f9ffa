import { BerthError } from "../errors.js";

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Names end up as DNS labels and file names, so they stay within one DNS label. */
export const MAX_NAME_LENGTH = 63;
/** IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_IFNAME_LENGTH = 15;
const IFNAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkName(kind: string, name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw new BerthError("INVALID_NAME", `Invalid ${kind} name "${printable(name)}"`, {
      hint: `Use 1-${MAX_NAME_LENGTH} characters: a letter or digit first, then letters, digits, "_", "." or "-"`,
    });
  }
  return name;
}

export function parseNetworkName(name: string): string {
  return checkName("network", name);
}

export function parseContainerName(name: string): string {
  return checkName("container", name);
}

/** DNS aliases follow the same rule as names. */
export function parseAlias(name: string): string {
  return checkName("alias", name);
}

export function parseIfName(name: string, kind = "interface"): string {
  if (name.length === 0 || name.length > MAX_IFNAME_LENGTH || !IFNAME.test(name)) {
    throw new BerthError("INVALID_NAME", `Invalid ${kind} name "${printable(name)}"`, {
      hint: `Interface names have 1-${MAX_IFNAME_LENGTH} characters: letters, digits, "_", "." or "-", starting with a letter or digit`,
    });
  }
  return name;
}

export function parseHostname(name: string): string {
  if (name.length === 0 || name.length > 253 || !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(name)) {
    throw new BerthError("INVALID_NAME", `Invalid hostname "${printable(name)}"`, {
      hint: "Use DNS labels of letters, digits and '-', separated by dots",
    });
  }
  return name;
}

/** Show a user-supplied string safely inside an error message. */
export function printable(s: string): string {
  const shown = s.length > 80 ? `${s.slice(0, 80)}...` : s;
  return shown.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
