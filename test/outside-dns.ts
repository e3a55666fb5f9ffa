// A tiny DNS server for the "outside" namespace of integration tests: run
// as `nsenter --net=NS node outside-dns.js ADDRESS ANSWER`, it answers every
// A query on ADDRESS:53 with ANSWER, prints "ready", and stops on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FakeUpstream } from "../src/dns/testing/fake-upstream.js";

/** A DNS server running in another namespace; stop() ends it. */
export interface OutsideDns {
  readonly address: string;
  stop(): Promise<void>;
}

/** Start the server inside `netns` on `address`:53; resolves once it listens. */
export function startOutsideDns(netns: string, address: string, answer: string): Promise<OutsideDns> {
  const child: ChildProcess = spawn("nsenter", [`--net=${netns}`, process.execPath, fileURLToPath(import.meta.url), address, answer], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready\n")) resolve({ address, stop });
    });
    child.once("exit", (code) => reject(new Error(`outside DNS server on ${address} exited ${code ?? "by a signal"} before it was ready`)));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [address, answer] = process.argv.slice(2);
  const server = await FakeUpstream.start({ host: address ?? "", port: 53, answer: answer ?? "" });
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
  process.stdout.write("ready\n");
}
