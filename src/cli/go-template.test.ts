import { test } from "node:test";
import assert from "node:assert/strict";
import { renderTemplate, unescapeFormat, TemplateError } from "./go-template.js";

const data = {
  Name: "web",
  State: { Running: true, Status: "running" },
  List: ["a", "b"],
  NetworkSettings: {
    IPAddress: "10.88.0.2",
    Networks: { public: { IPAddress: "192.168.1.10" }, mynet: { IPAddress: "10.89.0.2" } },
  },
};

test("renderTemplate() handles the forms Podman users write", () => {
  const cases: [string, string][] = [
    ["{{.NetworkSettings.IPAddress}}", "10.88.0.2"],
    ["{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "10.89.0.2 192.168.1.10 "],
    ["{{json .NetworkSettings.Networks}}", '{"public":{"IPAddress":"192.168.1.10"},"mynet":{"IPAddress":"10.89.0.2"}}'],
    ['{{index .NetworkSettings.Networks "mynet"}}', "map[IPAddress:10.89.0.2]"],
    ['{{(index .NetworkSettings.Networks "mynet").IPAddress}}', "10.89.0.2"],
    ["{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", "mynet=10.89.0.2 public=192.168.1.10 "],
    ["{{if .State.Running}}up{{else}}down{{end}}", "up"],
    ["{{with .State}}{{.Status}}{{end}}", "running"],
    ['{{printf "%s:%d" .Name 8080}}', "web:8080"],
    ["{{.Name | upper}}", "WEB"],
    ['{{join .List ","}}', "a,b"],
    ["{{len .List}}", "2"],
    ['{{if eq .Name "web"}}yes{{end}}', "yes"],
    ["{{.Missing}}", "<no value>"],
    ["{{.List}}", "[a b]"],
    ["a {{- /* comment */ -}} b", "ab"],
    ["{{range .Nothing}}x{{else}}empty{{end}}", "empty"],
    ["{{if not .State.Running}}a{{else if .Name}}b{{end}}", "b"],
  ];
  for (const [tpl, want] of cases) assert.equal(renderTemplate(tpl, data), want, tpl);
});

test("renderTemplate() reports syntax errors with a hint", () => {
  for (const bad of ["{{.Name", "{{if .Name}}x", "{{nosuchfn .Name}}", "{{end}}", '{{"unterminated}}']) {
    assert.throws(() => renderTemplate(bad, data), (e: unknown) => e instanceof TemplateError && e.code === "INVALID_ARGUMENT" && (e.hint ?? "").includes("Go syntax"), bad);
  }
  assert.throws(() => renderTemplate("{{.Name.Foo}}", data), /can't evaluate field Foo/);
});

test("unescapeFormat() turns \\n and \\t into newline and tab", () => {
  assert.equal(unescapeFormat("{{.Name}}\\t{{.ID}}\\n"), "{{.Name}}\t{{.ID}}\n");
});
