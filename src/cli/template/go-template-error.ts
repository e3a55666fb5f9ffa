import { BerthError } from "../../errors.js";

const SYNTAX_HINT =
  "Format templates use Go text/template syntax, e.g. '{{.NetworkSettings.IPAddress}}', " +
  "'{{range $name, $net := .NetworkSettings.Networks}}{{$name}}={{$net.IPAddress}} {{end}}' or '{{json .}}'";

/** A --format template that does not parse or cannot be executed. Messages follow Go's text/template. */
export class TemplateError extends BerthError {
  override readonly name = "TemplateError";
  constructor(message: string, hint: string = SYNTAX_HINT) {
    super("INVALID_ARGUMENT", message, { hint });
  }
}

/** The same error under the template name Podman gives its templates (`ps`, `inspect`): `template: ps:1:5: ...`. */
export function named(e: TemplateError, name: string): TemplateError {
  if (name === "") return e;
  const msg = e.message.replace(/^template: :/, `template: ${name}:`).replace(/executing "" at </, `executing "${name}" at <`);
  return new TemplateError(msg, e.hint);
}

/** Go's "line:col" for an offset: 1-based line, 0-based byte column within that line. */
export function location(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const nl = before.lastIndexOf("\n");
  const line = before.split("\n").length;
  return `${line}:${nl < 0 ? pos : pos - nl - 1}`;
}

/** A syntax error: `template: :1:5: unexpected EOF`. */
export function syntaxError(src: string, pos: number, why: string, hint?: string): TemplateError {
  return new TemplateError(`template: :${location(src, pos)}: ${why}`, hint);
}

/** An execution error: `template: :1:2: executing "" at <.Name.Foo>: can't evaluate field Foo in type string`. */
export function execError(src: string, pos: number, context: string, why: string, hint?: string): TemplateError {
  return new TemplateError(`template: :${location(src, pos)}: executing "" at <${context}>: ${why}`, hint);
}
