import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate, renderTemplate, unescapeFormat, TemplateError } from "./go-template.js";

const data = {
  Name: "web",
  Id: "abc123",
  Count: 3,
  Ratio: 0.5,
  Zero: 0,
  Empty: "",
  Nil: null,
  Undef: undefined,
  State: { Running: true, Status: "running", Pid: 4242 },
  Stopped: { Running: false },
  List: ["a", "b", "c"],
  Nums: [1, 2],
  NoList: [],
  NoMap: {},
  Mixed: { b: [1, "x"], a: null, c: { d: true } },
  NetworkSettings: {
    IPAddress: "10.88.0.2",
    Ports: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] },
    Networks: { public: { IPAddress: "192.168.1.10", Aliases: ["web", "w"] }, mynet: { IPAddress: "10.89.0.2", Aliases: [] } },
  },
};

function check(cases: readonly (readonly [string, string])[], input: unknown = data): void {
  for (const [tpl, want] of cases) assert.equal(renderTemplate(tpl, input), want, tpl);
}

test("renderTemplate() handles the forms Podman users write", () => {
  check([
    ["{{.NetworkSettings.IPAddress}}", "10.88.0.2"],
    ["{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "10.89.0.2 192.168.1.10 "],
    ["{{json .NetworkSettings.Networks}}", '{"public":{"IPAddress":"192.168.1.10","Aliases":["web","w"]},"mynet":{"IPAddress":"10.89.0.2","Aliases":[]}}'],
    ['{{index .NetworkSettings.Networks "mynet"}}', "map[Aliases:[] IPAddress:10.89.0.2]"],
    ['{{(index .NetworkSettings.Networks "mynet").IPAddress}}', "10.89.0.2"],
    ['{{(index .NetworkSettings.Ports "80/tcp" 0).HostPort}}', "8080"],
    ["{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", "mynet=10.89.0.2 public=192.168.1.10 "],
    ["{{.Name}} {{.State.Status}}\n", "web running\n"],
    ["{{if .State.Running}}up{{else}}down{{end}}", "up"],
    ["{{if .Stopped.Running}}up{{else}}down{{end}}", "down"],
    ["{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/4242"],
    ['{{printf "%s:%d" .Name .State.Pid}}', "web:4242"],
    ["{{lower .Id}} {{upper .Name}}", "abc123 WEB"],
    ['{{join .List ","}}', "a,b,c"],
    ["{{len .List}}", "3"],
    ['{{eq .Name "web"}} {{ne .Name "web"}} {{not .State.Running}}', "true false false"],
    ["{{and .State.Running .Name}} {{or .Empty .Name}}", "web web"],
    ["{{.Name | upper}}", "WEB"],
    ["a {{- /* comment */ -}} b", "ab"],
    ["{{json .}}", JSON.stringify(data)],
  ]);
});

test("renderTemplate() prints values like Go's %v", () => {
  check([
    ["{{.Name}}", "web"],
    ["{{.Count}} {{.Ratio}} {{.Zero}}", "3 0.5 0"],
    ["{{.State.Running}} {{.Stopped.Running}}", "true false"],
    ["{{.List}} {{.Nums}} {{.NoList}}", "[a b c] [1 2] []"],
    ["{{.State}}", "map[Pid:4242 Running:true Status:running]"],
    ["{{.Mixed}}", "map[a:<nil> b:[1 x] c:map[d:true]]"],
    ["{{.NoMap}}", "map[]"],
    ["{{.Nil}}", "<nil>"],
  ]);
  check([["{{.}}", "map[]"]], {});
  check([
    ["{{.Nil}}", "<nil>"],
    ["{{.Missing}}", "<no value>"],
    ["{{.Undef}}", "<no value>"],
    ["{{.Missing.Deeper}}", "<no value>"],
    ["{{.Nil.Deeper}}", "<no value>"],
    ["{{.State.missing}}", "<no value>"],
    ["{{.name}}", "<no value>"], // field lookup is case-sensitive
    ["{{.Empty}}", ""],
  ]);
});

test("renderTemplate() formats numbers, dates and top-level scalars", () => {
  const cases: [unknown, string][] = [
    [1000000.5, "1.0000005e+06"],
    [1000000, "1000000"],
    [0.000015, "1.5e-05"],
    [12.25, "12.25"],
    [-7, "-7"],
    [true, "true"],
    [null, "<nil>"],
    [[null, undefined], "[<nil> <nil>]"],
    ["text", "text"],
    [new Date("2024-05-01T10:00:00.500Z"), "2024-05-01 10:00:00.5 +0000 UTC"],
    [new Date("2024-05-01T10:00:00Z"), "2024-05-01 10:00:00 +0000 UTC"],
  ];
  for (const [value, want] of cases) assert.equal(renderTemplate("{{.}}", value), want, String(value));
});

test("renderTemplate() handles if, else if, with, else with and variables", () => {
  check([
    ["{{if .Missing}}a{{else if .Empty}}b{{else if .Name}}c{{else}}d{{end}}", "c"],
    ["{{if .Missing}}a{{else if .Empty}}b{{end}}", ""],
    ["{{if .Zero}}a{{else}}zero{{end}}", "zero"],
    ["{{if .NoList}}a{{else}}empty{{end}} {{if .NoMap}}a{{else}}empty{{end}} {{if .Nil}}a{{else}}nil{{end}}", "empty empty nil"],
    ["{{with .Missing}}x{{else}}none{{end}}", "none"],
    ["{{with .Missing}}x{{else with .Name}}{{.}}{{end}}", "web"],
    ["{{with $s := .State}}{{$s.Status}} {{.Pid}}{{end}}", "running 4242"],
    ["{{if $n := .Name}}{{$n}}{{end}}", "web"],
    ["{{$x := .Name}}{{$x}}-{{$x = upper $x}}{{$x}}", "web-WEB"],
    ["{{range .List}}{{$.Name}}:{{.}} {{end}}", "web:a web:b web:c "],
  ]);
  assert.equal(renderTemplate("{{$}}", { Count: 1 }), "map[Count:1]");
});

test("renderTemplate() ranges like Go: sorted maps, index variables, else, break and continue", () => {
  check([
    ["{{range .List}}[{{.}}]{{end}}", "[a][b][c]"],
    ["{{range $i, $e := .List}}{{$i}}={{$e}},{{end}}", "0=a,1=b,2=c,"],
    ["{{range $e := .List}}{{$e}}{{end}}", "abc"],
    ['{{range .NetworkSettings.Networks}}{{join .Aliases "+"}};{{end}}', ";web+w;"],
    ["{{range $k, $v := .Mixed}}{{$k}} {{end}}", "a b c "],
    ["{{range .NoList}}x{{else}}empty{{end}}", "empty"],
    ["{{range .NoMap}}x{{else}}empty{{end}}", "empty"],
    ["{{range .Missing}}x{{else}}empty{{end}}", "empty"],
    ["{{range .Nil}}x{{end}}", ""],
    ['{{range .List}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', "a"],
    ['{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', "ac"],
    ["{{range $i, $_ := .List}}{{if $i}},{{end}}{{.}}{{end}}", "a,b,c"],
    ["{{range 3}}{{.}}{{end}}", "012"],
    ["{{range .List}}{{range $.Nums}}{{.}}{{end}}{{end}}", "121212"],
  ]);
});

test("renderTemplate() calls functions with Go semantics", () => {
  check([
    ['{{printf "%v|%5s|%-4s|%03d|%x|%q|%t|%.2f" .List .Name .Name 7 255 .Name true 3.14159}}', '[a b c]|  web|web |007|ff|"web"|true|3.14'],
    ['{{printf "%d %s"}}', "%!d(MISSING) %!s(MISSING)"],
    ['{{printf "%d" .Name}}', "%!d(string=web)"],
    ['{{printf "%s" 1 2}}', "%!s(int=1)%!(EXTRA int=2)"],
    ['{{printf "%v" .Missing}} {{print .Missing}}', "<nil> <nil>"],
    ['{{.Name | printf "%s-x"}}', "web-x"],
    ['{{print "a" 1 2 "b"}}|{{println "a" 1}}', "a1 2b|a 1\n"],
    ['{{len .Name}} {{len .NoMap}} {{len .State}} {{len "é"}}', "3 0 3 2"],
    ['{{index .List 1}} {{index .Mixed "c" "d"}} {{index .Mixed "nope"}}', "b true <nil>"],
    ["{{slice .List 1}} {{slice .List 0 2}} {{slice .Name 1 2}}", "[b c] [a b] e"],
    ['{{eq .Count 3}} {{eq .Name "x" "web"}} {{eq .Missing .Nil}} {{eq .Missing "x"}}', "true true true false"],
    ['{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', "true true true false"],
    ['{{and 1 0 .Missing.X}} {{or 0 "" .Name}} {{and 1 2}} {{or 0 .Empty}}', "0 web 2 "],
    ["{{not .Empty}} {{not 1}}", "true false"],
    ['{{split "a,b" ","}} {{len (split "a,b,c" ",")}}', "[a b] 3"],
    ['{{title "hello wide world"}} {{pad "x" 2 1}}| {{truncate .Id 3}} {{truncate .Id 30}}', "Hello Wide World   x | abc abc123"],
    ["{{json .List}} {{json .Missing}} {{json .Name}} {{json .Nil}}", '["a","b","c"] null "web" null'],
    ['{{json "<a&b>"}}', '"<a&b>"'],
    ['{{.List | len | printf "%d items"}}', "3 items"],
    ["{{(len .List) | eq 3}}", "true"],
    ['{{printf "%s" (index .List 0 | upper)}}', "A"],
  ]);
});

test("renderTemplate() lexes literals, trim markers and comments like Go", () => {
  check([
    ['{{"a\\tb\\u00e9\\x41"}}', "a\tbéA"],
    ["{{`raw\\n`}}", "raw\\n"],
    ["{{'a'}} {{0x1F}} {{-3}} {{1_000}} {{1.5}} {{true}} {{false}}", "97 31 -3 1000 1.5 true false"],
    ["a  {{- .Name}}", "aweb"],
    ["{{.Name -}}  \n b", "webb"],
    ["x\n{{- .Name -}}\ny", "xweby"],
    ["{{- 3}}", "3"],
    ["a{{/* {{.Ignored}} */}}b", "ab"],
    ["a {{- /* multi\nline */}} b", "a b"],
    ['{{printf "%s}}" .Name}}', "web}}"],
    ["{{ .Name }}", "web"],
    ["{{\n.Name\n}}", "web"],
    ["no actions at all", "no actions at all"],
    ["", ""],
  ]);
});

interface Reject {
  readonly tpl: string;
  readonly message: string;
}

test("parseTemplate() rejects syntax errors with Go's messages and a position", () => {
  const rejects: Reject[] = [
    { tpl: "{{.Name", message: "template: :1:0: unclosed action" },
    { tpl: "ab\n{{.Name", message: "template: :2:0: unclosed action" },
    { tpl: "{{if .Name}}x", message: "template: :1:13: unexpected EOF" },
    { tpl: "{{range .List}}x{{else}}y", message: "template: :1:25: unexpected EOF" },
    { tpl: "{{end}}", message: "template: :1:2: unexpected {{end}}" },
    { tpl: "x{{else}}", message: "template: :1:3: unexpected {{else}}" },
    { tpl: "{{if 1}}a{{else}}b{{else}}c{{end}}", message: "template: :1:20: expected {{end}}; found {{else}}" },
    { tpl: "{{nosuchfn .Name}}", message: 'template: :1:2: function "nosuchfn" not defined' },
    { tpl: '{{"unterminated}}', message: "template: :1:0: unterminated quoted string" },
    { tpl: "{{`raw}}", message: "template: :1:2: unterminated raw quoted string" },
    { tpl: "{{}}", message: "template: :1:2: missing value for command" },
    { tpl: "{{if}}x{{end}}", message: "template: :1:4: missing value for if" },
    { tpl: "{{(.Name}}", message: "template: :1:8: unclosed left paren" },
    { tpl: "{{.Name)}}", message: "template: :1:7: unexpected right paren" },
    { tpl: "{{$x}}", message: 'template: :1:2: undefined variable "$x"' },
    { tpl: "{{if 1}}{{$x := 1}}{{end}}{{$x}}", message: 'template: :1:28: undefined variable "$x"' },
    { tpl: "{{$x = 1}}", message: 'template: :1:2: undefined variable "$x"' },
    { tpl: "{{with $a, $b := .}}{{end}}", message: "template: :1:7: too many declarations in with" },
    { tpl: '{{.Name | "x"}}', message: "template: :1:10: non executable command in pipeline stage 2" },
    { tpl: "{{break}}", message: "template: :1:2: {{break}} outside {{range}}" },
    { tpl: "{{range .List}}{{else}}{{continue}}{{end}}", message: "template: :1:25: {{continue}} outside {{range}}" },
    { tpl: '{{template "x"}}', message: "template: :1:2: {{template}} is not supported in --format templates" },
    { tpl: "{{.Name # }}", message: "template: :1:8: unrecognized character in action: U+0023 '#'" },
    { tpl: '{{"a""b"}}', message: 'template: :1:5: unexpected ""b"" in operand' },
    { tpl: "{{/* unclosed }}", message: "template: :1:0: unclosed comment" },
    { tpl: "{{/* c */ .Name}}", message: "template: :1:0: comment ends before closing delimiter" },
    { tpl: "{{'ab'}}", message: "template: :1:2: malformed character constant: 'ab'" },
    { tpl: "{{3x}}", message: 'template: :1:2: bad number syntax: "3x"' },
    { tpl: '{{"a".B}}', message: 'template: :1:5: unexpected . after term ""a""' },
    { tpl: "{{if 1}}{{else foo}}{{end}}", message: 'template: :1:15: unexpected "foo" in {{else}}' },
  ];
  for (const { tpl, message } of rejects) {
    assert.throws(
      () => parseTemplate(tpl),
      (e: unknown) => {
        assert.ok(e instanceof TemplateError, tpl);
        assert.equal(e.message, message, tpl);
        assert.equal(e.code, "INVALID_ARGUMENT");
        assert.ok((e.hint ?? "").length > 0, tpl);
        return true;
      },
      tpl,
    );
  }
});

test("parseTemplate() lists the available functions when one is unknown", () => {
  assert.throws(
    () => parseTemplate("{{lenght .List}}"),
    (e: unknown) => e instanceof TemplateError && /printf/.test(e.hint ?? "") && /json/.test(e.hint ?? ""),
  );
});

test("execute() fails like Go with the failing node as context", () => {
  const rejects: Reject[] = [
    { tpl: "{{.Name.Foo}}", message: 'template: :1:2: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string' },
    { tpl: "x\n  {{.List.Foo}}", message: 'template: :2:4: executing "" at <.List.Foo>: can\'t evaluate field Foo in type []interface {}' },
    { tpl: "{{.Count.X}}", message: 'template: :1:2: executing "" at <.Count.X>: can\'t evaluate field X in type int' },
    { tpl: "{{index .List 5}}", message: 'template: :1:2: executing "" at <index .List 5>: error calling index: index out of range: 5' },
    {
      tpl: '{{index .List "a"}}',
      message: 'template: :1:2: executing "" at <index .List "a">: error calling index: cannot index slice/array with type string',
    },
    { tpl: "{{index .Missing 0}}", message: 'template: :1:2: executing "" at <index .Missing 0>: error calling index: index of untyped nil' },
    { tpl: "{{lower .Count}}", message: 'template: :1:2: executing "" at <lower .Count>: wrong type for value; expected string; got int' },
    { tpl: "{{upper .Missing}}", message: 'template: :1:2: executing "" at <upper .Missing>: invalid value; expected string' },
    { tpl: "{{lower .Name .Id}}", message: 'template: :1:2: executing "" at <lower .Name .Id>: wrong number of args for lower: want 1 got 2' },
    { tpl: "{{printf}}", message: 'template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0' },
    { tpl: "{{len .Count}}", message: 'template: :1:2: executing "" at <len .Count>: error calling len: len of type int' },
    { tpl: '{{eq .Count "3"}}', message: 'template: :1:2: executing "" at <eq .Count "3">: error calling eq: incompatible types for comparison' },
    { tpl: "{{eq .List .List}}", message: 'template: :1:2: executing "" at <eq .List .List>: error calling eq: non-comparable type [a b c]: []interface {}' },
    { tpl: "{{lt true false}}", message: 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison' },
    { tpl: "{{eq 1}}", message: 'template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison' },
    { tpl: "{{range .Name}}{{end}}", message: 'template: :1:8: executing "" at <.Name>: range can\'t iterate over web' },
    { tpl: "{{.Name .Id}}", message: 'template: :1:2: executing "" at <.Name>: Name is not a method but has arguments' },
    { tpl: "{{.Name | .Id}}", message: 'template: :1:10: executing "" at <.Id>: Id is not a method but has arguments' },
    { tpl: "{{1 2}}", message: 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1' },
    { tpl: "{{nil}}", message: 'template: :1:2: executing "" at <nil>: nil is not a command' },
    { tpl: "{{(index .List 0).X}}", message: 'template: :1:2: executing "" at <(index .List 0).X>: can\'t evaluate field X in type string' },
  ];
  for (const { tpl, message } of rejects) {
    const compiled = parseTemplate(tpl);
    assert.throws(
      () => compiled.execute(data),
      (e: unknown) => {
        assert.ok(e instanceof TemplateError, tpl);
        assert.equal(e.message, message, tpl);
        assert.equal(e.code, "INVALID_ARGUMENT");
        return true;
      },
      tpl,
    );
  }
});

test("and/or stop at the deciding argument, like Go 1.18+", () => {
  check([
    ["{{and .Empty (index .List 99)}}", ""],
    ["{{or .Name (index .List 99)}}", "web"],
  ]);
  assert.throws(() => renderTemplate("{{and .Name (index .List 99)}}", data), /index out of range: 99/);
});

test("parseTemplate() compiles once and executes against many values", () => {
  const t = parseTemplate("{{.Name}}={{range .Ips}}{{.}} {{end}}");
  assert.equal(t.execute({ Name: "a", Ips: ["1", "2"] }), "a=1 2 ");
  assert.equal(t.execute({ Name: "b", Ips: [] }), "b=");
  assert.equal(t.execute({}), "<no value>=");
});

test("unescapeFormat() turns literal \\n and \\t into newline and tab outside actions", () => {
  const cases: [string, string][] = [
    ["{{.Name}}\\t{{.ID}}\\n", "{{.Name}}\t{{.ID}}\n"],
    ["a\\nb\\tc", "a\nb\tc"],
    ['{{printf "%s\\n" .Name}}', '{{printf "%s\\n" .Name}}'],
    ['{{"}}"}}\\n', '{{"}}"}}\n'],
    ["no escapes", "no escapes"],
    ["\\\\x", "\\\\x"],
  ];
  for (const [input, want] of cases) assert.equal(unescapeFormat(input), want, input);
  assert.equal(renderTemplate(unescapeFormat('{{printf "%s\\n" .Name}}\\t.'), data), "web\n\t.");
});
