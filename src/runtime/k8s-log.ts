/**
 * Decode conmon's k8s-file log format back to the container's output:
 * "<RFC3339 time> <stdout|stderr> <F|P> <text>", where P marks a partial
 * line continued by the next entry.
 */
export function decodeK8sLog(text: string): string {
  let out = "";
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    const m = /^\S+ (?:stdout|stderr) ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    out += m[2] ?? "";
    if (m[1] === "F") out += "\n";
  }
  return out;
}
