// `berth cni install`: set a Kubernetes node up for Berth the way CNI
// providers' node installers do: link the plugin into the runtime's CNI
// bin dir and write the network configuration list into its conf dir.
// Idempotent: a second run with the same input changes nothing; a file
// that Berth did not write is only replaced with `force`.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { BerthError, messageOf } from "../../errors.js";
import { BERTH_CNI_PLUGIN } from "../../engine/index.js";
import { isBerthConflist, nodeConflist, validateNodeConf, type NodeConfRequest } from "./node-conflist.js";

/** Sorts before flannel's and Calico's (10-flannel, 10-calico): runtimes use the first file by name. */
export const CONFLIST_NAME = "10-berth.conflist";
/** Plugin names the runtime needs beside Berth's: containerd's CRI plugin runs loopback for every pod. */
const COMPANIONS = ["loopback"];

export interface CniInstallRequest extends NodeConfRequest {
  readonly confDir: string;
  readonly binDir: string;
  /** Replace files Berth did not write. */
  readonly force: boolean;
  /** The plugin to link (default: this installation's bin/cni/berth). */
  readonly pluginPath?: string;
}

export type FileAction = "created" | "updated" | "unchanged" | "replaced";

export interface CniInstallReport {
  readonly conflist: { readonly path: string; readonly action: FileAction };
  readonly plugin: { readonly path: string; readonly target: string; readonly action: FileAction };
  /** Things that would keep pods from getting Berth's network, with what to do. */
  readonly warnings: readonly string[];
}

function absoluteDir(dir: string, flag: string): string {
  if (!dir || !isAbsolute(dir) || dir.includes("\0")) {
    throw new BerthError("INVALID_ARGUMENT", `${flag} must be an absolute path, not ${JSON.stringify(dir)}`, {
      hint: `e.g. ${flag === "--conf-dir" ? "/etc/cni/net.d" : "/opt/cni/bin"}, the directory your container runtime's CNI settings name`,
    });
  }
  return resolve(dir);
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new BerthError("PERMISSION", `cannot create ${dir}: ${messageOf(e)}`, {
      hint: "Run `berth cni install` as root, or point it at a directory you can write",
    });
  }
  if (!lstatSync(dir).isDirectory()) throw new BerthError("FILE_CONFLICT", `${dir} is not a directory`, { hint: "Give a directory" });
}

function foreign(path: string, what: string): BerthError {
  return new BerthError("FILE_CONFLICT", `${path} exists and is not Berth's: ${what}`, {
    hint: "Move it away if another CNI provider owns this node, or run again with --force to replace it",
  });
}

/** What is at `path`: nothing, a symlink (and its target), or something else. */
function entryAt(path: string): { kind: "none" } | { kind: "link"; target: string } | { kind: "other" } {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { kind: "none" };
  }
  return st.isSymbolicLink() ? { kind: "link", target: readlinkSync(path) } : { kind: "other" };
}

function linkPlugin(binDir: string, target: string, force: boolean): { path: string; target: string; action: FileAction } {
  const path = join(binDir, "berth");
  const at = entryAt(path);
  if (at.kind === "link" && resolve(binDir, at.target) === target) return { path, target, action: "unchanged" };
  if (at.kind !== "none" && !force) throw foreign(path, at.kind === "link" ? `a link to ${at.target}` : "a file");
  const tmp = join(binDir, `.berth.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, path);
  return { path, target, action: at.kind === "none" ? "created" : "replaced" };
}

function writeConflist(confDir: string, text: string, force: boolean): { path: string; action: FileAction } {
  const path = join(confDir, CONFLIST_NAME);
  const at = entryAt(path);
  let action: FileAction = "created";
  if (at.kind !== "none") {
    let old: string | undefined;
    try {
      old = readFileSync(path, "utf8");
    } catch {
      old = undefined;
    }
    if (old === text) return { path, action: "unchanged" };
    let ours = false;
    try {
      ours = at.kind === "other" && old !== undefined && isBerthConflist(JSON.parse(old));
    } catch {
      ours = false;
    }
    if (!ours && !force) throw foreign(path, at.kind === "link" ? `a link to ${at.target}` : "its first plugin is not Berth's");
    action = ours ? "updated" : "replaced";
  }
  const tmp = join(confDir, `.${CONFLIST_NAME}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
  return { path, action };
}

/** Configuration files a runtime would pick before Berth's (it takes the first by name). */
function earlierConfigs(confDir: string): string[] {
  return readdirSync(confDir)
    .filter((f) => /\.(conflist|conf|json)$/.test(f) && !f.startsWith("."))
    .sort()
    .filter((f) => f < CONFLIST_NAME);
}

/** Validate everything, then link the plugin and write the conflist. */
export function installCni(r: CniInstallRequest): CniInstallReport {
  const conf = validateNodeConf(r);
  const confDir = absoluteDir(r.confDir, "--conf-dir");
  const binDir = absoluteDir(r.binDir, "--bin-dir");
  const target = resolve(r.pluginPath ?? BERTH_CNI_PLUGIN);
  if (!existsSync(target))
    throw new BerthError("MISSING_DEPENDENCY", `the plugin ${target} does not exist`, { hint: "Run `npm ci && npm run build` in the Berth checkout first" });
  const text = `${JSON.stringify(nodeConflist(conf), null, 2)}\n`;
  ensureDir(confDir);
  ensureDir(binDir);
  // check both before changing either, so a refusal leaves nothing half-made
  const confAt = entryAt(join(confDir, CONFLIST_NAME));
  const binAt = entryAt(join(binDir, "berth"));
  if (!r.force && binAt.kind === "other") throw foreign(join(binDir, "berth"), "a file");
  if (!r.force && binAt.kind === "link" && resolve(binDir, binAt.target) !== target) throw foreign(join(binDir, "berth"), `a link to ${binAt.target}`);
  if (!r.force && confAt.kind === "link") throw foreign(join(confDir, CONFLIST_NAME), `a link to ${confAt.target}`);
  const conflist = writeConflist(confDir, text, r.force);
  const plugin = linkPlugin(binDir, target, r.force);
  const warnings: string[] = [];
  for (const f of earlierConfigs(confDir)) {
    warnings.push(
      `${join(confDir, f)} sorts before ${CONFLIST_NAME}: containerd and CRI-O use the first configuration by name, so pods would not get Berth's network. Move it out of ${confDir}.`,
    );
  }
  for (const c of COMPANIONS) {
    if (!existsSync(join(binDir, c)))
      warnings.push(
        `${join(binDir, c)} is missing: containerd's CRI plugin runs it for every pod. Install the reference CNI plugins (Debian: containernetworking-plugins, then link /usr/lib/cni/${c}).`,
      );
  }
  if (conf.cniVersion === "1.1.0")
    warnings.push(
      "cniVersion 1.1.0: containerd 1.6 cannot parse 1.1.0 results; use --cni-version 1.0.0 unless the runtime parses 1.1.0 results (containerd 2.x does).",
    );
  return { conflist, plugin, warnings };
}
