// What a container on the host's root filesystem (no --rootfs) can read: it
// runs as uid 0 with CAP_DAC_OVERRIDE, so only what is not mounted or is
// masked stays secret. Password hashes, Berth's state database and the
// host's home directories must not be readable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";

test("no --rootfs: /etc/shadow and /etc/gshadow read empty, Berth's state database is not there, /home only with --host-home", (t) => {
  if (!requireSandbox(t)) return;
  // /var/tmp and /home as tmpfs in the test's own mount namespace: the machine's directories are never touched
  for (const d of ["/var/tmp", "/home"]) assert.equal(spawnSync("mount", ["-t", "tmpfs", "tmpfs", d]).status, 0, `mount tmpfs on ${d}`);
  const b = new BerthSandbox();
  // a state directory the container would see (under /var; BERTH_ROOT's default is under /tmp, a tmpfs inside)
  const state = mkdtempSync("/var/tmp/berth-state-");
  const env = { BERTH_STATE_DIR: state };
  try {
    const shadow = b.runWith(env, "run", "--rm", "--network", "none", "sh", "-c", "cat /etc/shadow /etc/gshadow | wc -c");
    assert.equal(shadow.code, 0, shadow.stderr);
    assert.equal(shadow.stdout.trim(), "0", "password hashes read as empty");
    const db = b.runWith(env, "run", "--rm", "--network", "none", "sh", "-c", `ls -A ${state}; test ! -e ${join(state, "berth.db")}`);
    assert.equal(db.code, 0, `the state database is visible: ${db.stdout}${db.stderr}`);
    assert.equal(db.stdout.trim(), "", "the state directory is empty inside");
    const home = b.runWith(env, "run", "--rm", "--network", "none", "sh", "-c", "test -d /home && ls -A /home | wc -l || echo none");
    assert.equal(home.stdout.trim(), "none", `no /home: ${home.stdout}`);
    const marker = mkdtempSync("/home/berth-home-");
    writeFileSync(join(marker, "seen"), "yes\n");
    try {
      const asked = b.runWith(env, "run", "--rm", "--network", "none", "--host-home", "cat", join(marker, "seen"));
      assert.equal(asked.stdout, "yes\n", `--host-home shows /home: ${asked.stderr}`);
    } finally {
      rmSync(marker, { recursive: true, force: true });
    }
  } finally {
    b.dispose();
    for (const d of ["/var/tmp", "/home"]) spawnSync("umount", [d]);
  }
});
