import { test } from "node:test";
import assert from "node:assert/strict";
import { sprintf } from "./go-template-printf.js";
import { formatNumber, formatValue, isTrue, toJson } from "./go-template-value.js";

test("sprintf() follows Go's fmt for the common verbs, flags, widths and precisions", () => {
  const cases: [string, unknown[], string][] = [
    ["%s:%d", ["web", 80], "web:80"],
    ["%v %v %v", [[1, "a"], { b: 1, a: null }, null], "[1 a] map[a:<nil> b:1] <nil>"],
    ["%+d %05d %-5d| %5d|", [5, -42, 42, 7], "+5 -0042 42   |     7|"],
    ["%x %X %#x %o %b %c", [255, 255, 255, 8, 5, 65], "ff FF 0xff 10 101 A"],
    ["%x", ["hi"], "6869"],
    ["%q %q", ['a"b', 65], '"a\\"b" \'A\''],
    ["%t %t", [true, false], "true false"],
    ["%f %.2f %08.3f %6.2f", [1.5, 3.14159, 3.14159, -1.5], "1.500000 3.14 0003.142  -1.50"],
    ["%e %g %.3g %G", [1234.5678, 0.0000123, 3.14159, 1e21], "1.234568e+03 1.23e-05 3.14 1E+21"],
    ["%.2s|%10s|%-4s|", ["abcdef", "é", "ab"], "ab|         é|ab  |"],
    ["100%%", [], "100%"],
  ];
  for (const [format, args, want] of cases) assert.equal(sprintf(format, args), want, format);
});

test("sprintf() reports bad verbs, missing and extra arguments like Go", () => {
  const cases: [string, unknown[], string][] = [
    ["%d", [], "%!d(MISSING)"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    ["%t", [1], "%!t(int=1)"],
    ["%s", [null], "%!s(<nil>)"],
    ["%s", [true], "%!s(bool=true)"],
    ["%z", [1], "%!z(int=1)"],
    ["%d%", [1], "1%!(NOVERB)"],
    ["%s", ["a", 2, "b"], "a%!(EXTRA int=2, string=b)"],
  ];
  for (const [format, args, want] of cases) assert.equal(sprintf(format, args), want, format);
});

test("formatNumber() prints integers plainly and other numbers like Go's %v for float64", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-12, "-12"],
    [4242, "4242"],
    [1e20, "100000000000000000000"],
    [1e21, "1e+21"],
    [0.5, "0.5"],
    [123456.5, "123456.5"],
    [1234567.5, "1.2345675e+06"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
  ];
  for (const [n, want] of cases) assert.equal(formatNumber(n), want, String(n));
});

test("formatValue(), isTrue() and toJson() treat objects as Go maps and undefined as no value", () => {
  assert.equal(formatValue(undefined), "<no value>");
  assert.equal(formatValue({ z: 1, a: undefined, m: [undefined] }), "map[m:[<nil>] z:1]");
  const truth: [unknown, boolean][] = [
    [undefined, false],
    [null, false],
    [0, false],
    ["", false],
    [[], false],
    [{}, false],
    [{ a: undefined }, false],
    [false, false],
    [Number.NaN, false],
    [1, true],
    ["0", true],
    [[0], true],
    [{ a: 0 }, true],
    [true, true],
    [new Date(0), true],
  ];
  for (const [v, want] of truth) assert.equal(isTrue(v), want, JSON.stringify(v));
  assert.equal(toJson({ b: 1, a: [1, "x", null], s: "<&>\u2028" }), '{"b":1,"a":[1,"x",null],"s":"<&>\\u2028"}');
  assert.equal(toJson(undefined), "null");
});
