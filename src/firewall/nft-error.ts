import { BerthError } from "../errors.js";

/**
 * nft's own message, shortened to what a user needs: the "Error:" lines and
 * the command each one points at (the caret lines under them are dropped).
 */
export function summarizeNftMessage(text: string): string {
  const lines = text.split("\n").map((l) => l.trimEnd());
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const at = line.indexOf("Error:");
    if (at < 0) continue;
    out.push(line.slice(at).trim());
    const cmd = lines[i + 1];
    if (cmd !== undefined && cmd.trim() !== "" && !/^[\s^~]+$/.test(cmd) && !cmd.includes("Error:")) out.push(`in: ${cmd.trim()}`);
    if (out.length >= 6) break;
  }
  if (out.length === 0) return text.trim().split("\n").slice(0, 3).join(" | ") || "no message";
  return out.join(" | ");
}

/** Whether nft failed because the table, set or map does not exist. */
export function isNftNotFound(text: string): boolean {
  return /No such file or directory/.test(text);
}

function hintFor(text: string): string {
  if (/Operation not permitted|Permission denied/.test(text)) return "Run berth as root: changing nftables needs CAP_NET_ADMIN";
  if (/File exists/.test(text) && /element/.test(text)) {
    return "That host address and port are already published by another container; remove it or choose another host port (`nft list map inet berth dnat_any` shows the live mappings)";
  }
  if (/No such file or directory/.test(text))
    return "Berth's table or one of its sets is missing (e.g. after `nft flush ruleset`); run `berth system reconcile` to re-create it";
  if (/not supported|Protocol not supported|No such device|unknown/i.test(text)) {
    return "The kernel lacks an nftables feature Berth needs; load the modules (modprobe nf_tables nft_nat nft_masq nft_fib_inet nft_ct) and check `nft --version` is 0.9.4 or newer";
  }
  if (/Device or resource busy/.test(text)) return "The object is still referenced; run `berth system reconcile`";
  return "Read nft's message above; `nft list table inet berth` shows what is applied, and `berth system reconcile` re-creates it";
}

/** A FIREWALL error for a failed nft transaction, carrying nft's own message and a hint. */
export function nftFailure(what: string, nftMessage: string): BerthError {
  return new BerthError("FIREWALL", `${what}: nft: ${summarizeNftMessage(nftMessage)}`, { hint: hintFor(nftMessage) });
}
