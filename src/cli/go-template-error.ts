import { BerthError } from "../errors.js";

/** A --format template that does not parse or cannot be executed. */
export class TemplateError extends BerthError {
  override readonly name = "TemplateError";
  constructor(message: string) {
    super("INVALID_ARGUMENT", message, {
      hint: "Templates use Go syntax, e.g. '{{.NetworkSettings.IPAddress}}' or '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'",
    });
  }
}
