import { execute } from "./go-template-exec.js";
import { named, TemplateError } from "./go-template-error.js";
import { FUNCTION_NAMES } from "./go-template-funcs.js";
import { parse } from "./go-template-parser.js";

export { TemplateError };
export { goStruct } from "./go-template-value.js";

/** A parsed template, ready to run against any number of values. */
export interface CompiledTemplate {
  /** Render the template with `data` as dot and `$`; throws TemplateError if execution fails. */
  execute(data: unknown): string;
}

/**
 * Parse a Go text/template, the subset Podman users write in `--format`: fields, variables, `if`/`with`/`range`
 * (with `else`, `else if`, `break`, `continue`), pipelines, trim markers, comments and the functions
 * and or not len index slice print printf println eq ne lt le gt ge json join split lower upper title pad truncate.
 * Objects made with goStruct() play Go structs: a field they lack is an execution error naming the valid ones.
 * `name` is the template's name in error messages (Podman's: `ps`, `inspect`, `ls`).
 * @throws TemplateError (code INVALID_ARGUMENT) naming the line and column of a syntax error.
 * @example parseTemplate("{{range .Networks}}{{.IPAddress}} {{end}}").execute(inspectData)
 */
export function parseTemplate(src: string, name = ""): CompiledTemplate {
  const nodes = renamed(name, () => parse(src, FUNCTION_NAMES));
  return { execute: (data) => renamed(name, () => execute(src, nodes, data)) };
}

/** Parse and execute in one step. Equivalent to: podman inspect --format SRC. */
export function renderTemplate(src: string, data: unknown, name = ""): string {
  return parseTemplate(src, name).execute(data);
}

function renamed<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof TemplateError ? named(e, name) : e;
  }
}

/**
 * Turn the two-character sequences `\n` and `\t` typed in a --format value into a newline and a tab, as Podman does.
 * Text inside `{{ }}` actions is left alone: there Go's own string escapes apply (`{{printf "%s\n" .Name}}`).
 */
export function unescapeFormat(s: string): string {
  return s.replace(/(\{\{(?:"(?:\\.|[^"\\])*"|`[^`]*`|[^"`}]|\}(?!\}))*\}\})|\\n|\\t/g, (m, action?: string) =>
    action !== undefined ? action : m === "\\n" ? "\n" : "\t",
  );
}
