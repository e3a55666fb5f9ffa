// Go text/template, as Podman's --format uses it: the one entry for the rest of cli/.
export { goStruct, renderTemplate, unescapeFormat } from "./go-template.js";
export { formatTime, isMap } from "./go-template-value.js";
export { formatTemplate, type TemplateTarget } from "./format-template.js";
