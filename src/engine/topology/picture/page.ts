import { esc } from "./svg.js";

/** Where a live page gets its updates (server-sent events, see cli/topology-serve.ts). */
export const LIVE_EVENTS_PATH = "/events";

const PAGE_STYLE = `body { font-family: sans-serif; margin: 1.5rem; background: #fff; color: #1f2328; }
h1 { font-size: 1.2rem; margin: 0 0 0.4rem 0; }
#status { font-size: 0.85rem; color: #57606a; margin: 0 0 0.8rem 0; }
#picture svg { display: block; }`;

/**
 * A self-contained HTML page around the picture (no network needed). A
 * live page (`berth topology --serve`) also listens for server-sent events
 * and swaps the picture in place when the topology changes.
 */
export function picturePage(svg: string, title: string, live = false): string {
  const status = live ? `<p id="status">live: waiting for the first update</p>\n` : "";
  const script = live ? `<script>\n${LIVE_SCRIPT}\n</script>\n` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
${PAGE_STYLE}
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${status}<div id="picture">
${svg}</div>
${script}</body>
</html>
`;
}

// Runs in the browser: each "picture" event carries { version, svg, at }.
const LIVE_SCRIPT = `(() => {
  const status = document.getElementById("status");
  const picture = document.getElementById("picture");
  const events = new EventSource(${JSON.stringify(LIVE_EVENTS_PATH.slice(1))});
  events.addEventListener("picture", (e) => {
    const d = JSON.parse(e.data);
    if (document.body.dataset.version !== String(d.version)) picture.innerHTML = d.svg;
    document.body.dataset.version = String(d.version);
    status.textContent = "live: updated " + new Date(d.at).toLocaleTimeString();
  });
  events.addEventListener("error", () => { status.textContent = "live: connection lost, retrying"; });
})();`;
