import { spawnSync } from "node:child_process";
import { BERTH_CLI } from "../../engine/index.js";

/** One command the walkthrough runs and shows: a berth verb or an evidence command (ip, ping, curl). */
export interface Shown {
  readonly argv: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

const color = process.stdout.isTTY && !process.env["NO_COLOR"];
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
const green = (s: string) => (color ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s);

/** Prints the walkthrough as it goes and counts the checks that failed. */
export class Walkthrough {
  failures = 0;
  #step = 0;

  section(title: string, explain: string): void {
    this.#step++;
    process.stdout.write(`\n${bold(`== ${this.#step}. ${title}`)}\n${dim(explain)}\n`);
  }

  note(text: string): void {
    process.stdout.write(`${dim(`   ${text}`)}\n`);
  }

  /** Run `berth ARGS...` (this installation's CLI) and show it. */
  berth(...args: string[]): Shown {
    return this.run(["berth", ...args], [process.execPath, BERTH_CLI, ...args]);
  }

  /** Run an evidence program (ip, ping, curl, ...) and show it. */
  sh(...argv: string[]): Shown {
    return this.run(argv, argv);
  }

  /** Run quietly: for values the walkthrough needs (an address), not shown. */
  value(...args: string[]): string {
    const r = spawnSync(process.execPath, [BERTH_CLI, ...args], { encoding: "utf8" });
    return (r.stdout ?? "").trim();
  }

  /** Record a check: the evidence must show the expected behaviour. */
  expect(ok: boolean, what: string): void {
    process.stdout.write(`   ${ok ? green("ok") : red("FAILED")}: ${what}\n`);
    if (!ok) this.failures++;
  }

  private run(shown: readonly string[], argv: readonly string[]): Shown {
    process.stdout.write(`${bold("$")} ${shown.map(quote).join(" ")}\n`);
    const [cmd, ...args] = argv;
    const r = spawnSync(cmd ?? "true", args, { encoding: "utf8", timeout: 30_000 });
    const out = (r.stdout ?? "").replace(/\s+$/, "");
    const err = (r.stderr ?? "").replace(/\s+$/, "");
    if (out) process.stdout.write(`${indent(out)}\n`);
    if (err) process.stdout.write(`${indent(err)}\n`);
    return { argv: shown, stdout: r.stdout ?? "", stderr: r.stderr ?? "", code: r.status ?? 1 };
  }
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

function quote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
