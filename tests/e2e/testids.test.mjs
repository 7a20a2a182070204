// The window's test ids come from one module (ui/src/testids.js), which the components and
// these suites both import: no component writes an id of its own, and no two names share
// an id. Reads the sources only; no window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repo } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

/** Every file under `dir` whose name ends with one of `endings`. */
function sources(dir, endings) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && endings.some((end) => e.name.endsWith(end)))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

test("components take every test id from the shared module", () => {
  const written = [];
  for (const file of sources(path.join(repo, "ui", "src"), [".svelte", ".ts"])) {
    const text = readFileSync(file, "utf8");
    // An id written in place: a quoted value, or a template that does not come from `tid`;
    // and a selector whose value is not interpolated in quotes (`[data-testid="${tid.name}"]`).
    for (const m of text.matchAll(/data-testid=(?:"([^"$]*)"|\{`([^`]*)`\})|\[data-testid=(?!"\$\{)[^\]]*\]/g)) {
      written.push(`${path.relative(repo, file)}: ${m[0]}`);
    }
  }
  assert.deepEqual(written, [], "write data-testid={tid.name} (ui/src/testids.js) instead");
});

test("the end-to-end suites name elements by the shared ids", () => {
  const written = [];
  const here = path.join(repo, "tests", "e2e", "testids.test.mjs");
  for (const file of sources(path.join(repo, "tests", "e2e"), [".mjs"]).filter((f) => f !== here)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:shown|type|byTestId)\((?:\w+, *)?["'`][^"'`]*["'`]|data-testid="[^"$]+"/g)) {
      written.push(`${path.relative(repo, file)}: ${m[0]}`);
    }
  }
  assert.deepEqual(written, [], "use tid.name from ui/src/testids.js");
});

test("each test id names one thing", () => {
  const ids = Object.values(tid).filter((v) => typeof v === "string");
  assert.equal(new Set(ids).size, ids.length);
  const families = Object.entries(tid).filter(([, v]) => typeof v === "function");
  for (const [name, make] of families) {
    const id = make("x");
    assert.ok(!ids.includes(id), `${name}("x") is also a single element's id`);
  }
});
