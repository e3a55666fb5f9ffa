import { test } from "node:test";
import assert from "node:assert/strict";
import { hostsFileFor, resolvConfFor } from "./etc-files.js";
import { BerthError } from "../errors.js";

test("resolvConfFor() writes search, nameservers and options like Podman", () => {
  assert.equal(
    resolvConfFor({ nameservers: ["10.89.0.1", "10.89.0.1", "1.1.1.1"], search: ["dns.berth", "example.com"], options: ["ndots:2", "edns0"] }),
    "search dns.berth example.com\nnameserver 10.89.0.1\nnameserver 1.1.1.1\noptions ndots:2 edns0\n",
  );
  assert.equal(resolvConfFor({ nameservers: ["9.9.9.9"], search: [], options: [] }), "nameserver 9.9.9.9\n");
  assert.equal(resolvConfFor({ nameservers: [], search: [], options: [] }), "");
});

test("resolvConfFor() refuses values that would inject lines", () => {
  assert.throws(() => resolvConfFor({ nameservers: ["1.1.1.1\nnameserver 6.6.6.6"], search: [], options: [] }), BerthError);
  assert.throws(() => resolvConfFor({ nameservers: [], search: ["a b"], options: [] }), BerthError);
  assert.throws(() => resolvConfFor({ nameservers: [], search: [], options: [""] }), BerthError);
});

test("hostsFileFor() puts --add-host first, then localhost, then the container on each address", () => {
  assert.equal(
    hostsFileFor({ hostname: "web", selfIps: ["10.89.0.5", "10.89.1.5"], extra: [{ name: "db.local", ip: "192.0.2.10" }] }),
    [
      "192.0.2.10\tdb.local",
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4",
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6",
      "10.89.0.5\tweb",
      "10.89.1.5\tweb",
      "",
    ].join("\n"),
  );
  assert.throws(() => hostsFileFor({ hostname: "web", selfIps: [], extra: [{ name: "x\n1.2.3.4 evil", ip: "1.1.1.1" }] }), BerthError);
});

test("hostsFileFor() names the container and host.containers.internal (the gateway), as Podman's /etc/hosts does", () => {
  assert.equal(
    hostsFileFor({ hostname: "792a72326d59", name: "web", selfIps: ["10.89.0.2"], hostGateway: "10.89.0.1", extra: [] }),
    [
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4",
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6",
      "10.89.0.1\thost.containers.internal",
      "10.89.0.2\t792a72326d59 web",
      "",
    ].join("\n"),
  );
  // an --add-host of that name wins, and a hostname equal to the name is listed once
  assert.equal(
    hostsFileFor({
      hostname: "web",
      name: "web",
      selfIps: ["10.89.0.2"],
      hostGateway: "10.89.0.1",
      extra: [{ name: "host.containers.internal", ip: "192.0.2.1" }],
    })
      .split("\n")
      .filter((l) => /host\.containers|web/.test(l))
      .join("|"),
    "192.0.2.1\thost.containers.internal|10.89.0.2\tweb",
  );
});
