/**
 * Decode conmon's k8s-file log format back to what the container wrote:
 * each line is "<RFC3339Nano time> <stdout|stderr> <F|P> <text>", where P
 * marks a partial line that the next entry continues and F a full line
 * (its newline was stripped). Lines that don't match are skipped.
 */
export function decodeK8sLog(text: string, streams: { stdout?: boolean; stderr?: boolean } = {}): string {
  const want = { stdout: streams.stdout ?? true, stderr: streams.stderr ?? true };
  let out = "";
  for (const line of text.split("\n")) {
    const m = /^\S+ (stdout|stderr) ([FP]) ?(.*)$/s.exec(line);
    if (!m) continue;
    if (!want[m[1] as "stdout" | "stderr"]) continue;
    out += m[3] ?? "";
    if (m[2] === "F") out += "\n";
  }
  return out;
}
