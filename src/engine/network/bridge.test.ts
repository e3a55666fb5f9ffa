import { test } from "node:test";
import assert from "node:assert/strict";
import { createNetwork, runContainer } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { HOST_NS } from "../testing/fake-kernel.js";

/** The fake kernel's line for one link of the host namespace. */
function hostLink(t: FakeEngine, name: string): string | undefined {
  return t.kernel.snapshot()[HOST_NS]?.find((l) => l.startsWith(`link ${name} `));
}

test("a bridge Berth makes has multicast snooping off; a bridge it finds on the host keeps its own", async () => {
  const t = new FakeEngine();
  try {
    const ext = t.kernel.host.bridgeAdd({ name: "br-ext" });
    t.kernel.host.addrAdd(ext.index, "10.80.0.1", 24);
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24", interfaceName: "br-web" });
    createNetwork(t.engine, { name: "ext", subnet: "10.80.0.0/24", gateway: "10.80.0.1", interfaceName: "br-ext" });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web", "ext"] });
    assert.match(hostLink(t, "br-web") ?? "", / mcast_snooping=false/);
    assert.match(hostLink(t, "br-ext") ?? "", / mcast_snooping=true/, "Berth changes nothing on a bridge it did not make");
  } finally {
    t.close();
  }
});
