import { test } from "node:test";
import assert from "node:assert/strict";
import { cliCommandKind } from "./cli-command-kind.js";

test("commands that need the caller's terminal run in the client", () => {
  assert.equal(cliCommandKind("run", {}), "local");
  assert.equal(cliCommandKind("run", { interactive: true, tty: true }), "local");
  assert.equal(cliCommandKind("exec", {}), "local");
  assert.equal(cliCommandKind("logs", { follow: true }), "local");
  assert.equal(cliCommandKind("start", { attach: true }), "local");
  assert.equal(cliCommandKind("start", {}), "change");
});

test("commands that last until something else happens run in the client, not in the service's queue", () => {
  // conmon's exit command (container cleanup) is a change: a queued wait would never see it
  assert.equal(cliCommandKind("wait", {}), "local");
  // conmon waits for its exit command, and a queued reset waits for conmon
  assert.equal(cliCommandKind("container cleanup", {}), "local");
  assert.equal(cliCommandKind("topology", { watch: true }), "local");
  assert.equal(cliCommandKind("topology", { serve: true }), "local");
  assert.equal(cliCommandKind("topology", { serve: "127.0.0.1:8080" }), "local");
  assert.equal(cliCommandKind("topology", {}), "read");
});

test("a detached run and other changes go through the service one at a time; views run alongside", () => {
  assert.equal(cliCommandKind("run", { detach: true }), "change");
  assert.equal(cliCommandKind("run", { dryRun: true }), "change");
  assert.equal(cliCommandKind("rm", { force: true }), "change");
  assert.equal(cliCommandKind("network create", {}), "change");
  assert.equal(cliCommandKind("ps", { all: true }), "read");
  assert.equal(cliCommandKind("network ls", {}), "read");
  assert.equal(cliCommandKind("logs", {}), "read");
});

test("the foreground Docker plugin runs in the client; enable, disable and status configure the service", () => {
  assert.equal(cliCommandKind("docker-plugin", {}), "local");
  assert.equal(cliCommandKind("docker-plugin enable", {}), "change");
  assert.equal(cliCommandKind("docker-plugin disable", {}), "change");
  assert.equal(cliCommandKind("docker-plugin status", {}), "read");
});
