import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTemplate, headerOf, spacesToTabs } from "./format-template.js";
import { PS_TARGET, psRow } from "../ps-row.js";
import { NETWORK_LS_TARGET, networkRow } from "../network-row.js";
import { containerInspectData } from "../inspect-struct.js";
import { TemplateError } from "./go-template.js";
import type { Container } from "../../model/container.js";

const NOW = Date.parse("2026-01-01T10:00:10.000Z");

function container(over: Partial<Container>): Container {
  return {
    id: "3f1ecb36a6fa0de2defcf785368434e55c3b99e4d4600d32583f20385bcebd41",
    name: "web",
    command: ["sleep", "100"],
    hostname: "3f1ecb36a6fa",
    mode: "bridge",
    modeTarget: undefined,
    netns: "/run/netns/x",
    rootfs: undefined,
    autoRemove: false,
    detached: true,
    dns: { servers: [], search: [], options: [] },
    extraHosts: [],
    networks: [{ network: "podman" }],
    status: "running",
    ownerPid: undefined,
    pid: 9525,
    exitCode: undefined,
    created: "2026-01-01T10:00:08.385Z",
    started: "2026-01-01T10:00:08.500Z",
    finished: undefined,
    managedBy: undefined,
    ...over,
  } as Container;
}

const facts = { ports: "0.0.0.0:8080->80/tcp", networks: ["podman"], mounts: [], labels: {}, image: "/", noTrunc: false, now: NOW };

test("ps --format takes Podman's field names and prints what Podman 4.3.1 prints", () => {
  const rows = [
    psRow(container({}), facts),
    psRow(
      container({
        name: "ex",
        id: "12504bee3e1e".padEnd(64, "0"),
        command: ["sh", "-c", "exit 3 # a long command"],
        status: "exited",
        exitCode: 3,
        finished: "2026-01-01T10:00:09.000Z",
        pid: undefined,
      }),
      { ...facts, ports: "" },
    ),
  ];
  assert.equal(
    formatTemplate("{{.Names}}|{{.ID}}|{{.Status}}|{{.Ports}}|{{.Networks}}|{{.Image}}|{{.Command}}|{{.CreatedAt}}|{{.ExitCode}}", rows, PS_TARGET),
    "web|3f1ecb36a6fa|Up 2 seconds ago|0.0.0.0:8080->80/tcp|podman|/|sleep 100|2026-01-01 10:00:08.385 +0000 UTC|0\n" +
      "ex|12504bee3e1e|Exited (3) 1 second ago||podman|/|sh -c exit 3 # a ...|2026-01-01 10:00:08.385 +0000 UTC|3\n",
  );
  assert.equal(formatTemplate("{{.ID}}", [psRow(container({}), { ...facts, noTrunc: true })], PS_TARGET), `${container({}).id}\n`);
});

test("ps --format 'table ...' prints Podman's header and aligns columns as its tabwriter does", () => {
  const rows = [
    psRow(container({}), facts),
    psRow(container({ name: "ex", status: "exited", exitCode: 3, finished: "2026-01-01T10:00:09.000Z" }), { ...facts, ports: "" }),
  ];
  assert.equal(
    formatTemplate("table {{.ID}} {{.Names}} {{.Status}}", rows, PS_TARGET),
    ["CONTAINER ID  NAMES       STATUS", "3f1ecb36a6fa  web         Up 2 seconds ago", "3f1ecb36a6fa  ex          Exited (3) 1 second ago", ""].join("\n"),
  );
  assert.equal(
    formatTemplate("table {{.Names}}\\t{{.Ports}}\\t{{.CreatedAt}}", rows.slice(0, 1), PS_TARGET),
    ["NAMES       PORTS                 CREATED AT", "web         0.0.0.0:8080->80/tcp  2026-01-01 10:00:08.385 +0000 UTC", ""].join("\n"),
  );
  // without `table` a tab stays a tab and there is no header
  assert.equal(formatTemplate("{{.Names}}\\t{{.Ports}}", rows.slice(0, 1), PS_TARGET), "web\t0.0.0.0:8080->80/tcp\n");
});

test("an unknown field is an error naming the field and the valid ones, not <no value>", () => {
  assert.throws(
    () => formatTemplate("{{.Foo}}", [psRow(container({}), facts)], PS_TARGET),
    (e: unknown) =>
      e instanceof TemplateError &&
      e.message === `template: ps:1:2: executing "ps" at <.Foo>: can't evaluate field Foo in type ps.Container` &&
      /\.Names/.test(e.hint ?? "") &&
      /\.Status/.test(e.hint ?? ""),
  );
  // a map (Labels) still answers "no value" for a missing key, as Go's maps do
  assert.equal(formatTemplate("{{.Labels.app}}", [psRow(container({}), facts)], PS_TARGET), "<no value>\n");
});

const netJson = {
  name: "n1",
  id: "42cb409fbfa65d0fbd8fed83d7e8f7497dbce0e87b5e8274bd048dda3c14f274",
  driver: "bridge",
  network_interface: "berth1",
  created: "2026-01-01T10:00:00.000Z",
  subnets: [{ subnet: "10.99.0.0/24", gateway: "10.99.0.1" }],
  ipv6_enabled: false,
  internal: false,
  dns_enabled: true,
  labels: { a: "b" },
  options: { isolate: "true" },
  ipam_options: { driver: "host-local" },
  containers: {},
};

test("network ls and inspect --format take Podman's field names", () => {
  assert.equal(
    formatTemplate("{{.Name}} {{.ID}} {{.Driver}} {{.Labels}}", [networkRow(netJson, { list: true })], NETWORK_LS_TARGET),
    "n1 42cb409fbfa6 bridge a=b\n",
  );
  assert.equal(
    formatTemplate("table {{.ID}} {{.Name}} {{.DNSEnabled}}", [networkRow(netJson, { list: true })], NETWORK_LS_TARGET),
    "NETWORK ID    NAME        DNS ENABLED\n42cb409fbfa6  n1          true\n",
  );
  assert.equal(
    formatTemplate("{{.Name}} {{.ID}} {{.Labels}} {{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}", [networkRow(netJson, { list: false })], {
      name: "inspect",
      fields: [],
    }),
    `n1 ${netJson.id} map[a:b] 10.99.0.0/24 10.99.0.1\n`,
  );
  assert.throws(
    () => formatTemplate("{{.name}}", [networkRow(netJson, { list: false })], { name: "inspect", fields: [] }),
    (e: unknown) => e instanceof TemplateError && /can't evaluate field name in type types\.Network/.test(e.message) && /\.Name/.test(e.hint ?? ""),
  );
});

test("inspect templates: structs are strict, maps are not", () => {
  const view = () => ({
    Id: "x",
    Name: "web",
    State: { Status: "running" },
    NetworkSettings: { IPAddress: "10.1.0.2", Networks: { n1: { IPAddress: "10.1.0.2" } }, Ports: {} },
  });
  assert.equal(
    formatTemplate("{{.Name}} {{.State.Status}} {{.NetworkSettings.Networks.other}}", [containerInspectData(view())], { name: "inspect", fields: [] }),
    "web running <no value>\n",
  );
  assert.throws(
    () => formatTemplate("{{.State.Foo}}", [containerInspectData(view())], { name: "inspect", fields: [] }),
    (e: unknown) => e instanceof TemplateError && /at <\.State\.Foo>: can't evaluate field Foo in type define\.InspectContainerState/.test(e.message),
  );
  assert.throws(
    () => formatTemplate('{{(index .NetworkSettings.Networks "n1").Gatewy}}', [containerInspectData(view())], { name: "inspect", fields: [] }),
    (e: unknown) => e instanceof TemplateError && /Gatewy/.test(e.message),
  );
});

test("header names split Go field names into upper-case words", () => {
  assert.deepEqual(["CreatedAt", "IPv6Enabled", "DNSEnabled", "NetworkDNSServers", "Names"].map(headerOf), [
    "CREATED AT",
    "IPV6 ENABLED",
    "DNS ENABLED",
    "NETWORK DNS SERVERS",
    "NAMES",
  ]);
  assert.equal(spacesToTabs('{{printf "%s %s" .A .B}} x'), '{{printf "%s %s" .A .B}}\tx');
});
