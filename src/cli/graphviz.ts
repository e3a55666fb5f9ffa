/**
 * Lay out Graphviz dot text as SVG with Graphviz compiled to WebAssembly
 * (@hpcc-js/wasm-graphviz): no system Graphviz needed. Loaded only when a
 * picture is asked for (~150 ms): the package (mostly the 850 KB WebAssembly
 * module) stays out of the CLI's bundle, which every command loads.
 */
export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
  const gv = await Graphviz.load();
  return gv.dot(dot, "svg");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A self-contained HTML page around an SVG picture (opens in any browser, no network needed). */
export function svgPage(svg: string, title: string): string {
  const body = svg.replace(/^<\?xml[^>]*>\s*/, "").replace(/^<!DOCTYPE[^>]*>\s*/, "");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 1.5rem; background: #fff; color: #222; }
h1 { font-size: 1.2rem; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
