import { parseTemplate, unescapeFormat } from "./go-template.js";
import { alignTabs } from "../tab-writer.js";

export interface TemplateTarget {
  /** The template's name in error messages, as Podman names it (`ps`, `ls`, `inspect`). */
  readonly name: string;
  /** Every field a row has (for a `table` header), in order. */
  readonly fields: readonly string[];
  /** Header text for fields whose header is not the field name split into upper-case words (`ID` -> `CONTAINER ID`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Apply a Go template `--format` to each item, one line per item, as Podman
 * does. `table FORMAT` prints a header row first (the template run on the
 * fields' header names), turns the spaces between actions into column
 * breaks, and aligns the columns with Podman's tabwriter settings.
 */
export function formatTemplate(format: string, items: readonly unknown[], target: TemplateTarget): string {
  const isTable = format.startsWith("table ");
  const src = isTable ? spacesToTabs(unescapeFormat(format.slice("table ".length))) : unescapeFormat(format);
  const tpl = parseTemplate(src, target.name);
  const lines = items.map((it) => tpl.execute(it));
  if (!isTable) return lines.map((l) => `${l}\n`).join("");
  const header = tpl.execute(headerRow(target));
  return `${alignTabs([header, ...lines].join("\n"))}\n`;
}

/** The header names of a table: `CreatedAt` -> `CREATED AT`, unless the target names it. */
export function headerRow(target: TemplateTarget): Record<string, string> {
  return Object.fromEntries(target.fields.map((f) => [f, target.headers?.[f] ?? headerOf(f)]));
}

export function headerOf(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]{2,})([A-Z][a-z])/g, "$1 $2")
    .toUpperCase();
}

/** Spaces outside `{{ }}` become tabs (column breaks); text inside actions is left alone. */
export function spacesToTabs(src: string): string {
  return src.replace(/(\{\{(?:"(?:\\.|[^"\\])*"|`[^`]*`|[^"`}]|\}(?!\}))*\}\})| /g, (m, action?: string) => (action !== undefined ? action : "\t"));
}
