// The topology as a picture (--format svg and html, laid out by Berth),
// opened in headless Chromium (Debian's chromium) and measured there: from
// the rendered page, no two labels overlap, every label lies inside its
// shape, and no line crosses a container card, at 1, 5 and 100 containers
// on several networks. The same measure run on the Graphviz picture this
// replaced finds its faults. BERTH_PICTURE_OUT=FILE keeps the screenshot of
// the seed's scenario (docs/topology.png is made this way).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox, withPrivateRun } from "../helpers.js";
import { Chromium, type Page } from "../chromium.js";
import { checkLegibility, describe, type Legibility } from "../picture-legibility.js";

const GRAPHVIZ_BEFORE = fileURLToPath(new URL("../../../test/fixtures/topology/graphviz-before.html", import.meta.url));

let b: BerthSandbox;
let browser: Chromium;

before(() => {
  browser = Chromium.launch();
  if (inSandbox()) b = new BerthSandbox();
});
after(async () => {
  await browser.close();
  if (b) {
    b.dispose();
    assert.deepEqual(b.leftovers(), []);
  }
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", "a PNG file");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** `berth topology --format html`, opened in Chromium. */
async function openPicture(name: string): Promise<Page> {
  const file = join(b.root, `${name}.html`);
  writeFileSync(file, b.ok("topology", "--format", "html"));
  return browser.open(`file://${file}`, 1400, 1000);
}

/** Files in the /run/netns the sandbox sees (the machine's, if it has any): each is a card apart, another tool's namespace. */
function hostNamedNamespaces(): number {
  return existsSync("/run/netns") ? readdirSync("/run/netns").length : 0;
}

/** `cards` of Berth's, plus one per named namespace the machine has (`others`: the count, when known). */
function assertLegible(l: Legibility, cards: number, others = hostNamedNamespaces()): void {
  assert.equal(l.cards, cards + others, describe(l));
  assert.deepEqual(l.overlaps, [], describe(l));
  assert.deepEqual(l.outside, [], describe(l));
  assert.deepEqual(l.crossings, [], describe(l));
}

/** Run containers, then remove them and their networks whatever happens. */
async function withContainers(networks: string[], runs: string[][], fn: () => Promise<void>): Promise<void> {
  try {
    for (const n of networks) b.ok("network", "create", n);
    for (const r of runs) b.ok("run", "-d", ...r, "sleep", "600");
    await fn();
  } finally {
    const names = runs.map((r) => r[r.indexOf("--name") + 1] ?? "");
    for (let i = 0; i < names.length; i += 50) b.run("rm", "-f", ...names.slice(i, i + 50));
    if (networks.length > 0) b.run("network", "rm", ...networks);
  }
}

// The Graphviz picture of 5 containers on 2 networks (fixture-many.ts) as
// `topology --format html` drew it before. Graphviz routes its edges around
// the namespace clusters, so the third measure (lines crossing cards) finds
// nothing there; its edges cross each other instead, which is not measured.
test("the measure finds the faults of the Graphviz picture this replaced: overlapping labels, labels outside their shapes", async () => {
  const page = await browser.open(`file://${GRAPHVIZ_BEFORE}`, 1400, 1000);
  const l = await checkLegibility(page);
  assert.ok(l.labels > 60 && l.cards === 5, describe(l));
  assert.deepEqual(l.overlaps, ['"host testhost" / "veth"']);
  for (const label of ["bth000000010000", "default via 10.89.0.1 dev eth0", "netns berth-000000010000", "app-001 (000000010000)", "network net0"])
    assert.ok(
      l.outside.some((o) => o.startsWith(`"${label}" sticks out`)),
      `${label}: ${describe(l)}`,
    );
});

test("1 container on one network, publishing a port: legible in Chromium", async (t) => {
  if (!requireSandbox(t)) return;
  await withContainers(["solo"], [["--name", "one", "--network", "solo", "-p", "8081:80"]], async () => {
    const page = await openPicture("one");
    const l = await checkLegibility(page);
    assertLegible(l, 1);
    // the veth to the bus, the port's arrow, the uplink's wire
    assert.ok(l.lines >= 3, describe(l));
    const shown = await page.evaluate<string>("document.querySelector('svg').textContent");
    for (const fact of [b.ip("one"), "solo", "tcp 0.0.0.0:8081", ":80/tcp"]) assert.ok(shown.includes(fact), `the picture shows ${fact}`);
  });
});

test("5 containers on 3 networks, one on two of them, two publishing: legible in Chromium", async (t) => {
  if (!requireSandbox(t)) return;
  const runs = [
    ["--name", "c1", "--network", "red", "-p", "8081:80"],
    ["--name", "c2", "--network", "red"],
    ["--name", "c3", "--network", "green"],
    ["--name", "c4", "--network", "red,blue", "-p", "8082:80"],
    ["--name", "c5", "--network", "blue"],
  ];
  await withContainers(["red", "green", "blue"], runs, async () => {
    const l = await checkLegibility(await openPicture("five"));
    assertLegible(l, 5);
  });
});

test("100 containers on 4 networks (every tenth on two, every fifth publishing): legible in Chromium", async (t) => {
  if (!requireSandbox(t)) return;
  const nets = ["n1", "n2", "n3", "n4"];
  const runs = Array.from({ length: 100 }, (_, i) => {
    const net = i % 10 === 9 ? `${nets[i % 4] ?? "n1"},${nets[(i + 2) % 4] ?? "n3"}` : (nets[i % 4] ?? "n1");
    return ["--name", `app${String(i + 1).padStart(3, "0")}`, "--network", net, ...(i % 5 === 0 ? ["-p", `${9000 + i}:80`] : [])];
  });
  await withContainers(nets, runs, async () => {
    const page = await openPicture("hundred");
    const l = await checkLegibility(page);
    assertLegible(l, 100);
    // compact cards: still every container's name and address
    const shown = await page.evaluate<string>("document.querySelector('svg').textContent");
    for (const name of ["app001", "app050", "app100"]) assert.ok(shown.includes(name), name);
    assert.ok(shown.includes(b.ip("app077")), "app077's address");
  });
});

test("other tools' bridge and `ip netns add` namespace: a band of their own below the host, legible in Chromium", async (t) => {
  if (!requireSandbox(t)) return;
  // the namespace lives in a mount namespace of the wrapper's own with a tmpfs /run (see topology.test.ts)
  const wrapper = withPrivateRun(
    "ip netns add other-tools-ns && ip -n other-tools-ns link add xd0 type veth peer name xd1 && " +
      'ip -n other-tools-ns addr add 10.9.9.1/24 dev xd0 && BERTH_NO_SERVICE=1 "$@"; rc=$?; ip netns delete other-tools-ns; exit $rc',
  );
  await withContainers(
    ["pic"],
    [
      ["--name", "p1", "--network", "pic", "-p", "8083:80"],
      ["--name", "p2", "--network", "pic"],
    ],
    async () => {
      try {
        spawnSync("ip", ["link", "add", "xbr-long-name15", "type", "bridge"]);
        spawnSync("ip", ["addr", "add", "10.77.0.1/24", "dev", "xbr-long-name15"]);
        const r = b.runUnder(wrapper, "topology", "--format", "html");
        assert.equal(r.code, 0, r.stderr);
        const file = join(b.root, "others.html");
        writeFileSync(file, r.stdout);
        const page = await browser.open(`file://${file}`, 1400, 1000);
        // its own tmpfs /run: only other-tools-ns is named there
        assertLegible(await checkLegibility(page), 2, 2);
        const band = await page.evaluate<{ host: number; band: number; cards: string[] }>(
          `(() => { const r = (s) => document.querySelector(s).getBoundingClientRect();
          const band = r('[data-kind="others"] rect');
          const inside = [...document.querySelectorAll('[data-card]')].filter((c) => { const x = c.getBoundingClientRect();
            return x.top >= band.top && x.bottom <= band.bottom && x.left >= band.left && x.right <= band.right; });
          return { host: r('[data-kind="host"] rect').bottom, band: band.top, cards: inside.map((c) => c.dataset.card) }; })()`,
        );
        assert.ok(band.band >= band.host, "the band is below the host box");
        assert.deepEqual(band.cards.sort(), ["other-bridge:xbr-long-name15", "other-namespace:/run/netns/other-tools-ns"]);
        const shown = await page.evaluate<string>("document.querySelector('svg').textContent");
        for (const fact of ["xbr-long-name15", "10.77.0.1/24", "other-tools-ns", "xd0 down 10.9.9.1/24"]) assert.ok(shown.includes(fact), fact);
      } finally {
        spawnSync("ip", ["link", "del", "xbr-long-name15"]);
      }
    },
  );
});

test("the seed's scenario photographed in Chromium (the picture in docs/topology.png)", async (t) => {
  if (!requireSandbox(t)) return;
  const runs = [
    ["--name", "web", "--network", "frontend", "-p", "9090:8080"],
    ["--name", "both", "--network", "frontend,backend"],
    ["--name", "db", "--network", "backend"],
    ["--name", "lonely", "--network", "none"],
  ];
  await withContainers(["frontend", "backend"], runs, async () => {
    const svg = b.ok("topology", "--format", "svg");
    assert.match(svg, /^<svg[\s>]/);
    for (const label of ["frontend", "backend", "web", "both", "db", "lonely", "tcp 0.0.0.0:9090"])
      assert.ok(svg.includes(label), `the picture names ${label}`);
    const page = await openPicture("seed");
    assertLegible(await checkLegibility(page), 4);
    const shot = join(b.root, "topology.png");
    await page.screenshot(shot);
    assert.deepEqual(pngSize(shot), { width: 1400, height: 1000 });
    // a blank page compresses to a few KB; the drawing makes it several times larger
    assert.ok(statSync(shot).size > 20_000, `the screenshot has a drawing in it (${statSync(shot).size} bytes)`);
    const keep = process.env["BERTH_PICTURE_OUT"];
    if (keep) {
      await page.screenshot(shot, true);
      copyFileSync(shot, keep);
    }
  });
});
