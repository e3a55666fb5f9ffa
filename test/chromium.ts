// Headless Chromium (Debian's chromium) driven over the DevTools protocol on
// a pipe (--remote-debugging-pipe: commands on fd 3, replies and events on
// fd 4, each message JSON ended by a NUL byte), so a test can load a page,
// run a script in it, wait for it to change and photograph it, with no
// WebSocket client and no fixed sleeps.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

interface Reply {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

type Waiter = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };

export class Chromium {
  readonly #child: ChildProcess;
  readonly #out: Writable;
  readonly #profile: string;
  readonly #pending = new Map<number, Waiter>();
  readonly #listeners = new Set<(m: Reply) => void>();
  #next = 1;
  #buffer = "";
  #stderr = "";
  #exited: Error | undefined;

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    const [, , , toChrome, fromChrome] = child.stdio as unknown as [unknown, unknown, Readable, Writable, Readable];
    this.#out = toChrome;
    fromChrome.setEncoding("utf8");
    fromChrome.on("data", (d: string) => this.#receive(d));
    (child.stdio[2] as Readable).on("data", (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    child.on("exit", (code, signal) => {
      this.#exited = new Error(`chromium exited (${code ?? signal ?? "?"}): ${this.#stderr}`);
      for (const w of this.#pending.values()) w.reject(this.#exited);
      this.#pending.clear();
    });
  }

  /** Start headless Chromium with a throwaway profile. */
  static launch(): Chromium {
    const profile = mkdtempSync(join(tmpdir(), "berth-chromium-"));
    const args = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
    ];
    const child = spawn("chromium", args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    return new Chromium(child, profile);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf("\0")) >= 0) {
      const m = JSON.parse(this.#buffer.slice(0, end)) as Reply;
      this.#buffer = this.#buffer.slice(end + 1);
      if (m.id !== undefined) {
        const w = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) w?.reject(new Error(`${m.error.message}`));
        else w?.resolve(m.result ?? {});
      } else {
        for (const l of this.#listeners) l(m);
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** The next event `method` of `sessionId` (registered before the call that causes it). */
  event(method: string, sessionId: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (m: Reply) => {
        if (m.method !== method || m.sessionId !== sessionId) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(m.params ?? {});
      };
      this.#listeners.add(listener);
    });
  }

  /** A new tab of `width` x `height` CSS px showing `url`, once its load event fired. */
  async open(url: string, width: number, height: number): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, String(sessionId));
    await this.send("Page.enable", {}, page.session);
    await this.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false }, page.session);
    const loaded = this.event("Page.loadEventFired", page.session, 60_000);
    const nav = await this.send("Page.navigate", { url }, page.session);
    if (typeof nav["errorText"] === "string" && nav["errorText"]) throw new Error(`cannot load ${url}: ${nav["errorText"]}`);
    await loaded;
    return page;
  }

  /** Close the browser and remove its profile. */
  async close(): Promise<void> {
    if (!this.#exited) {
      const gone = new Promise((r) => this.#child.once("exit", r));
      await this.send("Browser.close").catch(() => undefined);
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.#profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    readonly browser: Chromium,
    readonly session: string,
  ) {}

  /** The value of a JavaScript expression in the page (awaited if it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.browser.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, this.session);
    const ex = r["exceptionDetails"] as { exception?: { description?: string }; text?: string } | undefined;
    if (ex) throw new Error(`in the page: ${ex.exception?.description ?? ex.text ?? "exception"}`);
    return (r["result"] as { value: T }).value;
  }

  /**
   * Wait until `condition` (an expression) is truthy in the page: checked
   * now and after every change to the document, up to `timeoutMs`.
   */
  waitFor(condition: string, timeoutMs: number): Promise<unknown> {
    return this.evaluate(`new Promise((resolve, reject) => {
      const test = () => { try { return (${condition}); } catch { return false; } };
      const now = test();
      if (now) return resolve(now);
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error("waited ${timeoutMs} ms for: " + ${JSON.stringify(condition)})); }, ${timeoutMs});
      const observer = new MutationObserver(() => { const v = test(); if (v) { observer.disconnect(); clearTimeout(timer); resolve(v); } });
      observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    })`);
  }

  /** A PNG of the window, or (`full`) of the page down to the picture's edges, beyond the window where it is larger. */
  async screenshot(file: string, full = false): Promise<void> {
    let clip = {};
    if (full) {
      // the page down to the picture's right and bottom edges, and a margin
      const size = await this.evaluate<{ width: number; height: number }>(
        "(() => { const r = (document.querySelector('svg') ?? document.body).getBoundingClientRect(); return { width: r.right + 24, height: r.bottom + 24 }; })()",
      );
      clip = { clip: { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 } };
    }
    const r = await this.browser.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: full, ...clip }, this.session);
    writeFileSync(file, Buffer.from(String(r["data"]), "base64"));
  }
}
