import { test } from "node:test";
import assert from "node:assert/strict";
import { candidateNames, hostsLookup, nsswitchHosts, parseResolvConf } from "./resolver-config.js";

test("parseResolvConf() reads name servers (at most 3), the last search line, ndots and timeout", () => {
  const c = parseResolvConf(
    "# comment\nsearch a.test\nnameserver 10.89.0.1\nnameserver 192.0.2.1 ; x\nnameserver fe80::1%eth0\nnameserver 192.0.2.9\nsearch dns.berth example.test\noptions ndots:2 timeout:1 edns0\n",
  );
  assert.deepEqual(c, { nameservers: ["10.89.0.1", "192.0.2.1", "fe80::1"], search: ["dns.berth", "example.test"], ndots: 2, timeoutSec: 1 });
  assert.deepEqual(parseResolvConf(""), { nameservers: [], search: [], ndots: 1, timeoutSec: 5 });
});

test("hostsLookup() matches any name of a line, case-insensitively, skipping comments", () => {
  const text = "127.0.0.1\tlocalhost\n# 10.0.0.9 db\n10.0.0.5 web Web.local # x\n10.0.0.6 web\n";
  assert.deepEqual(hostsLookup(text, "WEB"), ["10.0.0.5", "10.0.0.6"]);
  assert.deepEqual(hostsLookup(text, "web.local."), ["10.0.0.5"]);
  assert.deepEqual(hostsLookup(text, "db"), []);
});

test("nsswitchHosts() reads the hosts line, skips action items, defaults to files dns", () => {
  assert.deepEqual(nsswitchHosts("passwd: files\nhosts: files [NOTFOUND=return] mdns4_minimal dns\n"), ["files", { other: "mdns4_minimal" }, "dns"]);
  assert.deepEqual(nsswitchHosts("hosts: dns\n"), ["dns"]);
  assert.deepEqual(nsswitchHosts(undefined), ["files", "dns"]);
  assert.deepEqual(nsswitchHosts("passwd: files\n"), ["files", "dns"]);
});

test("candidateNames() orders search domains by ndots as a stub resolver does", () => {
  assert.deepEqual(candidateNames("db", { search: ["dns.berth"], ndots: 1 }), ["db.dns.berth", "db"]);
  assert.deepEqual(candidateNames("example.com", { search: ["dns.berth"], ndots: 1 }), ["example.com", "example.com.dns.berth"]);
  assert.deepEqual(candidateNames("example.com", { search: ["dns.berth"], ndots: 2 }), ["example.com.dns.berth", "example.com"]);
  assert.deepEqual(candidateNames("db.", { search: ["dns.berth"], ndots: 1 }), ["db"]);
});
