import { renderTemplate, unescapeFormat } from "./template/index.js";

/** Render rows as a left-aligned table with a header, as podman does. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 2)))
      .join("")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 4)}\n`);
}

/** Apply a `--format` value: "json", or a Go template applied to each item. */
export function formatItems(format: string, items: readonly unknown[]): string {
  if (format === "json") return `${JSON.stringify(items, null, 4)}\n`;
  const tpl = unescapeFormat(format);
  return items.map((it) => `${renderTemplate(tpl, it)}\n`).join("");
}

/** "3 minutes ago"-style age, as `podman ps` prints it. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"} ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"} ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? "" : "s"} ago`;
  const d = Math.round(h / 24);
  return `${d} days ago`;
}
