/**
 * Align tab-separated cells into columns as Go's text/tabwriter does with
 * Podman's settings (minimum cell width 12, padding 2, padded with spaces):
 * every tab-terminated cell is widened to its column's width; the last cell
 * of a line is not part of any column and is written as it is.
 */
export function alignTabs(text: string, minWidth = 12, padding = 2): string {
  const lines = text.split("\n");
  const cells = lines.map((l) => l.split("\t"));
  const widths: number[] = [];
  for (const row of cells) {
    for (let i = 0; i < row.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, minWidth, (row[i] ?? "").length + padding);
  }
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("")).join("\n");
}
