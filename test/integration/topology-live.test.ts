// The live views: `berth topology --watch` redraws the text view as
// containers come and go and exits cleanly on SIGINT and on a closed pipe;
// `berth topology --serve` serves a page that Chromium shows changing
// without a reload when a container starts. Every wait is for something to
// appear (output, an element), bounded; none is a fixed sleep.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { request } from "node:http";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { Chromium } from "../chromium.js";
import { checkLegibility, describe } from "../picture-legibility.js";

let b: BerthSandbox;
let browser: Chromium | undefined;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  b.ok("network", "create", "livenet");
});
after(async () => {
  await browser?.close();
  if (!b) return;
  b.dispose();
  assert.deepEqual(b.leftovers(), []);
});

/** A running berth process: its output so far, and waits on it. */
class Running {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | string>;
  readonly #waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => this.#add("stdout", d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => this.#add("stderr", d));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  }

  #add(which: "stdout" | "stderr", d: string): void {
    this[which] += d;
    for (const w of this.#waiters) w();
  }

  /** Wait until `ready(stdout)` holds (checked on each output), for at most `ms`. */
  until<T>(ready: (out: string) => T | undefined | false, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = ready(this.stdout);
        if (!v) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`waited ${ms} ms for ${what}; stdout: ${this.stdout.slice(-2000)}; stderr: ${this.stderr}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** Wait for the exit, at most `ms` (then kill it and fail). */
  async exit(ms: number): Promise<number | string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`did not exit within ${ms} ms; stderr: ${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function running(args: string[], fn: (r: Running) => Promise<void>): Promise<void> {
  const r = new Running(b.spawn(...args));
  try {
    await fn(r);
  } finally {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    await r.exited;
  }
}

const FRAME = "┌─ host";

test("topology --watch redraws the text view as a container starts and goes, and exits 0 on SIGINT", async (t) => {
  if (!requireSandbox(t)) return;
  await running(["topology", "--watch", "--interval", "0.2"], async (r) => {
    await r.until((out) => out.includes(FRAME), 30_000, "the first frame");
    assert.doesNotMatch(r.stdout, /container watch1 /);
    try {
      b.ok("run", "-d", "--name", "watch1", "--network", "livenet", "sleep", "600");
      await r.until((out) => /container watch1 /.test(out), 30_000, "a frame with watch1");
    } finally {
      b.ok("rm", "-f", "watch1");
    }
    // a frame drawn after watch1's last mention: it is gone from the picture
    await r.until((out) => out.lastIndexOf(FRAME) > out.lastIndexOf("container watch1 "), 30_000, "a frame without watch1");
    r.child.kill("SIGINT");
    assert.equal(await r.exit(30_000), 0);
    assert.equal(r.stderr, "");
  });
});

test("topology --watch exits 0, without a trace, when its reader goes away (EPIPE)", async (t) => {
  if (!requireSandbox(t)) return;
  await running(["topology", "--watch", "--interval", "0.2"], async (r) => {
    await r.until((out) => out.includes(FRAME), 30_000, "the first frame");
    r.child.stdout?.destroy();
    try {
      // a change makes it draw again, into the closed pipe
      b.ok("run", "-d", "--name", "watch2", "--network", "livenet", "sleep", "600");
      assert.equal(await r.exit(30_000), 0);
    } finally {
      b.ok("rm", "-f", "watch2");
    }
    assert.equal(r.stderr, "");
  });
});

function get(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("topology --serve: the page in Chromium shows a new container without a reload; the server is read-only and loopback-only", async (t) => {
  if (!requireSandbox(t)) return;
  browser = Chromium.launch();
  await running(["topology", "--serve", "127.0.0.1:0", "--interval", "0.2"], async (r) => {
    const url = await r.until((out) => /Serving the topology at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 30_000, "the URL");
    const page = await (browser as Chromium).open(url, 1400, 1000);
    await page.waitFor(`document.getElementById("status").textContent.startsWith("live: updated")`, 30_000);
    await page.evaluate("window.sameDocument = true");
    assert.equal(await page.evaluate("document.querySelector('[data-card=\"container:live1\"]') === null"), true);
    try {
      b.ok("run", "-d", "--name", "live1", "--network", "livenet", "-p", "8088:80", "sleep", "600");
      await page.waitFor(`document.querySelector('[data-card="container:live1"]')`, 30_000);
      assert.equal(await page.evaluate("window.sameDocument === true"), true, "the page was not reloaded");
      const shown = await page.evaluate<string>("document.querySelector('svg').textContent");
      assert.ok(shown.includes(b.ip("live1")) && shown.includes("tcp 0.0.0.0:8088"), "live1's address and port");
      const l = await checkLegibility(page);
      assert.deepEqual([l.overlaps, l.outside, l.crossings], [[], [], []], describe(l));
      const json = await get(`${url}topology.json`, "GET");
      assert.equal(json.status, 200);
      assert.ok((JSON.parse(json.body) as { nodes: { id: string }[] }).nodes.some((n) => n.id === "container:live1"));
    } finally {
      b.ok("rm", "-f", "live1");
    }
    await page.waitFor(`document.querySelector('[data-card="container:live1"]') === null`, 30_000);
    for (const method of ["POST", "PUT", "DELETE"]) assert.equal((await get(`${url}topology.json`, method)).status, 405, method);
    // a page on another name that resolves here (DNS rebinding) gets nothing
    assert.equal((await get(url, "GET", { Host: "attacker.example" })).status, 403);
    r.child.kill("SIGINT");
    assert.equal(await r.exit(30_000), 0);
    assert.equal(r.stderr, "");
  });
});

test("topology --serve on a non-loopback address needs --allow-remote, and then warns", async (t) => {
  if (!requireSandbox(t)) return;
  const refused = b.run("topology", "--serve", "0.0.0.0:0");
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /Refusing to serve the topology on 0\.0\.0\.0:0: not a loopback address/);
  assert.match(refused.stderr, /--allow-remote/);
  assert.equal(b.run("topology", "--serve", "example.com:80").code, 125);
  await running(["topology", "--serve", "0.0.0.0:0", "--allow-remote"], async (r) => {
    await r.until((out) => out.includes("Serving the topology at http://0.0.0.0:"), 30_000, "the URL");
    assert.match(r.stderr, /Warning: serving the topology on 0\.0\.0\.0:0: anyone who can reach it/);
    r.child.kill("SIGINT");
    assert.equal(await r.exit(30_000), 0);
  });
});
