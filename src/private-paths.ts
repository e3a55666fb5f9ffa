import { constants, lstatSync, openSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { BerthError } from "./errors.js";
import { dnsDir, type BerthPaths } from "./paths.js";

const S_ISVTX = 0o1000;

/** Owned by root or by this process's user (tests run unprivileged on their own temp dirs). */
function trustedOwner(st: Stats): boolean {
  return st.uid === 0 || st.uid === (process.geteuid?.() ?? 0);
}

function unsafe(dir: string, why: string, hint: string): BerthError {
  return new BerthError("UNSAFE_PATH", `Refusing to use ${dir}: ${why}`, { hint });
}

/**
 * Check that `dir` (if it exists) is a directory only root can change:
 * not a symbolic link, owned by root, not writable by group or others,
 * and under ancestors that only root can rename it in (owned by root, and
 * writable by others only with the sticky bit, as /tmp). Berth writes its
 * database, logs, pid files, the DNS zone and its lock there as root: in a
 * directory another user can write, that user could plant a symbolic link
 * root then follows (to append to a root-only file), or take the lock.
 */
export function checkPrivateDir(dir: string, what: string): void {
  const abs = resolve(dir);
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    return checkAncestors(abs, what);
  }
  const fix = `chown root:root ${abs} && chmod go-w ${abs}`;
  if (st.isSymbolicLink())
    throw unsafe(abs, `the ${what} is a symbolic link`, `Point Berth at the real directory, or replace the link with a directory owned by root`);
  if (!st.isDirectory()) throw unsafe(abs, `the ${what} is not a directory`, `Remove it, or point Berth elsewhere`);
  if (!trustedOwner(st))
    throw unsafe(abs, `the ${what} is owned by uid ${st.uid}, not root`, `Another user could plant files there that root then writes through; ${fix}`);
  if ((st.mode & 0o022) !== 0)
    throw unsafe(
      abs,
      `the ${what} is writable by ${(st.mode & 0o002) !== 0 ? "every user" : "its group"} (mode ${(st.mode & 0o7777).toString(8)})`,
      `Another user could plant files there that root then writes through; ${fix}`,
    );
  checkAncestors(abs, what);
}

function checkAncestors(abs: string, what: string): void {
  for (let p = dirname(abs); ; p = dirname(p)) {
    let st: Stats | undefined;
    try {
      st = statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (st !== undefined) {
      const hint = `Keep Berth's directories under directories only root can change (chown root ${p} && chmod go-w ${p}), or point Berth elsewhere`;
      if (!trustedOwner(st)) throw unsafe(abs, `${p}, above the ${what}, is owned by uid ${st.uid}, not root`, hint);
      if ((st.mode & 0o022) !== 0 && (st.mode & S_ISVTX) === 0)
        throw unsafe(abs, `${p}, above the ${what}, is writable by other users (mode ${(st.mode & 0o7777).toString(8)})`, hint);
    }
    if (p === dirname(p)) return;
  }
}

/** Every directory Berth writes in as root, with what it is called in errors. */
export function privateDirs(paths: BerthPaths, env: NodeJS.ProcessEnv = process.env): [string, string][] {
  const dirs: [string, string][] = [];
  if (env["BERTH_ROOT"]) dirs.push([env["BERTH_ROOT"], "BERTH_ROOT directory"]);
  dirs.push(
    [paths.stateDir, "state directory"],
    [paths.runDir, "run directory"],
    [dnsDir(paths), "resolver directory"],
    [paths.netnsDir, "namespace directory"],
  );
  return dirs;
}

/** checkPrivateDir() for every directory of privateDirs(). */
export function checkPrivateDirs(paths: BerthPaths, env: NodeJS.ProcessEnv = process.env): void {
  for (const [dir, what] of privateDirs(paths, env)) checkPrivateDir(dir, what);
}

function linkError(file: string, e: unknown): BerthError {
  const code = (e as NodeJS.ErrnoException).code;
  return new BerthError("UNSAFE_PATH", `Cannot open ${file}: ${code === "ELOOP" ? "it is a symbolic link" : (e as Error).message}`, {
    hint: `Remove ${file} (Berth never writes through a link it did not make), then try again`,
  });
}

/** Open `file` to append (created 0600), refusing a symbolic link in its place. Returns the descriptor. */
export function openAppendNoFollow(file: string): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    throw linkError(file, e);
  }
}

/**
 * Replace `file` with `text` atomically: write a new temp file beside it
 * (O_EXCL, so a link planted under the temp name is never followed) and
 * rename it over `file` (a rename replaces a link, never writes through it).
 */
export function replaceFile(file: string, text: string, tmpSuffix = ".tmp", mode = 0o600): void {
  const tmp = `${file}${tmpSuffix}`;
  rmSync(tmp, { force: true });
  try {
    writeFileSync(tmp, text, { flag: "wx", mode });
  } catch (e) {
    throw linkError(tmp, e);
  }
  renameSync(tmp, file);
}
