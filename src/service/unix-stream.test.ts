import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectUnix, unixTransport, type UnixConnectionEvents } from "./unix-stream.js";

const TRANSPORTS = ["libuv", "net"] as const;

/** What a connection saw, in order. */
function recorder(): { events: UnixConnectionEvents; log: string[]; ended: Promise<void>; connected: Promise<void> } {
  const log: string[] = [];
  let onEnd!: () => void;
  let onConnect!: () => void;
  const ended = new Promise<void>((r) => (onEnd = r));
  const connected = new Promise<void>((r) => (onConnect = r));
  return {
    log,
    ended,
    connected,
    events: {
      connect: () => {
        log.push("connect");
        onConnect();
      },
      data: (chunk) => log.push(`data ${chunk.toString()}`),
      end: (code, message) => {
        log.push(code === undefined ? "end" : `end ${code} ${message ?? ""}`);
        onEnd();
      },
    },
  };
}

async function withServer(onConnection: (s: Socket) => void, fn: (path: string, server: Server) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-unix-stream-"));
  const path = join(dir, "s.sock");
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(path, r));
  try {
    await fn(path, server);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test("this Node.js gives the client libuv's pipe handle (a Node without it falls back to node:net, ~8 ms slower per view)", () => {
  assert.equal(unixTransport(), "libuv");
});

test("with --pending-deprecation the client uses node:net, and Node prints no deprecation warning", () => {
  const mod = new URL("./unix-stream.js", import.meta.url).href;
  const r = spawnSync(
    process.execPath,
    ["--pending-deprecation", "--input-type=module", "-e", `import { unixTransport } from ${JSON.stringify(mod)}; console.log(unixTransport());`],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "net");
  assert.doesNotMatch(r.stderr, /DeprecationWarning/);
});

for (const transport of TRANSPORTS) {
  test(`${transport}: a request written before the connection is up reaches the server, and its reply and close come back`, async () => {
    await withServer(
      (s) => s.on("data", (d) => s.end(`got ${d.toString()}`)),
      async (path) => {
        const rec = recorder();
        const conn = connectUnix(path, rec.events, { transport });
        conn.write("hello");
        await rec.ended;
        assert.deepEqual(rec.log, ["connect", "data got hello", "end"]);
      },
    );
  });

  test(`${transport}: a large reply arrives whole and in order, each chunk its own bytes`, async () => {
    const big = "x".repeat(3 << 20) + "end";
    await withServer(
      (s) => s.on("data", () => s.end(big)),
      async (path) => {
        const chunks: Buffer[] = [];
        let done!: () => void;
        const ended = new Promise<void>((r) => (done = r));
        const conn = connectUnix(
          path,
          {
            connect: () => {},
            data: (c) => chunks.push(c),
            end: (code) => {
              assert.equal(code, undefined);
              done();
            },
          },
          { transport },
        );
        conn.write("go");
        await ended;
        assert.equal(Buffer.concat(chunks).toString(), big);
      },
    );
  });

  test(`${transport}: no socket at the path is ENOENT, a socket nobody listens on ECONNREFUSED, a plain file not a socket`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-unix-stream-"));
    try {
      const missing = recorder();
      connectUnix(join(dir, "none.sock"), missing.events, { transport });
      await missing.ended;
      assert.match(missing.log.join("|"), /^end ENOENT .*none\.sock/);

      // a socket file left by a server that is gone
      const stale = join(dir, "stale.sock");
      const server = createServer();
      await new Promise<void>((r) => server.listen(stale, r));
      await withoutUnlink(server);
      const refused = recorder();
      connectUnix(stale, refused.events, { transport });
      await refused.ended;
      assert.match(refused.log.join("|"), /^end ECONNREFUSED /);

      const file = join(dir, "file");
      writeFileSync(file, "");
      const notSocket = recorder();
      connectUnix(file, notSocket.events, { transport });
      await notSocket.ended;
      assert.match(notSocket.log.join("|"), /^end ECONNREFUSED /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${transport}: after close() nothing more is sent and no event comes`, async () => {
    const seen: string[] = [];
    let closedByPeer!: () => void;
    const peerClosed = new Promise<void>((r) => (closedByPeer = r));
    await withServer(
      (s) => {
        s.on("data", (d) => {
          seen.push(d.toString());
          s.end("reply");
        });
        s.on("close", () => closedByPeer());
      },
      async (path) => {
        const rec = recorder();
        const conn = connectUnix(path, rec.events, { transport });
        await rec.connected;
        conn.close();
        conn.write("ignored");
        // the server sees the connection end; a second connection's round trip shows the loop went on
        await peerClosed;
        const next = recorder();
        connectUnix(path, next.events, { transport }).write("second");
        await next.ended;
        assert.deepEqual(rec.log, ["connect"]);
        assert.deepEqual(seen, ["second"]);
      },
    );
  });
}

/** Stop a server listening on a Unix socket and leave its file behind, as a crashed service does. */
async function withoutUnlink(server: Server): Promise<void> {
  const path = server.address() as string;
  const keep = join(path, "..", "keep");
  const { renameSync } = await import("node:fs");
  renameSync(path, keep);
  await new Promise((r) => server.close(r));
  renameSync(keep, path);
}
