// A tiny container image for the CRI test and bench, built on the spot from
// busybox-static (no registry): a Docker image archive (manifest.json, the
// image config, one layer) that `ctr images import` reads.
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

export const BUSYBOX = "/usr/bin/busybox";
const APPLETS = ["sh", "sleep", "cat", "wget", "httpd", "ip", "nslookup", "ping", "ls", "printf"];

/**
 * The CGI script the image's web server runs for /cgi-bin/whoami: it
 * answers with the client's address as the pod sees it.
 */
const WHOAMI = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$REMOTE_ADDR"\n';

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function tar(cwd: string, out: string, entries: readonly string[]): void {
  const r = spawnSync("tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", cwd, "-cf", out, ...entries], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar ${out}: ${r.stderr}`);
}

/** OCI's name for this machine's architecture. */
function ociArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch;
}

/**
 * Write an image archive for `ref` (e.g. localhost/berth-busybox:latest)
 * whose entrypoint is `entrypoint`, under `dir`; returns the archive's path.
 * The image has busybox's applets in /bin and /www/cgi-bin/whoami.
 */
export function buildImageArchive(dir: string, ref: string, entrypoint: readonly string[], extraApplets: readonly string[] = []): string {
  const work = join(dir, `image-${sha256(ref).slice(0, 12)}`);
  const rootfs = join(work, "rootfs");
  for (const d of ["bin", "etc", "proc", "sys", "dev", "tmp", "www/cgi-bin"]) mkdirSync(join(rootfs, d), { recursive: true });
  cpSync(BUSYBOX, join(rootfs, "bin", "busybox"));
  chmodSync(join(rootfs, "bin", "busybox"), 0o755);
  for (const a of new Set([...APPLETS, ...extraApplets])) symlinkSync("busybox", join(rootfs, "bin", a));
  writeFileSync(join(rootfs, "www", "cgi-bin", "whoami"), WHOAMI, { mode: 0o755 });
  writeFileSync(join(rootfs, "www", "index.html"), "berth\n");
  const image = join(work, "image");
  mkdirSync(image);
  tar(rootfs, join(image, "layer.tar"), ["."]);
  const diffId = `sha256:${sha256(readFileSync(join(image, "layer.tar")))}`;
  const config = JSON.stringify({
    architecture: ociArch(),
    os: "linux",
    config: { Entrypoint: entrypoint, Env: ["PATH=/bin"], WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: [diffId] },
  });
  const configName = `${sha256(config)}.json`;
  writeFileSync(join(image, configName), config);
  writeFileSync(join(image, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: ["layer.tar"] }]));
  const archive = join(work, "image.tar");
  tar(image, archive, ["manifest.json", configName, "layer.tar"]);
  return archive;
}
