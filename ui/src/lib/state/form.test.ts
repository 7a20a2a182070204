// The form asks for the fields the core places in view, folds the advanced ones, and asks
// none the grant ignores; its unsaved-changes test sees every change and no non-change.
import { expect, it } from "vitest";
import type { FieldSpec, Template } from "../../api";
import { formFields, unsavedChanges } from "./form";

const PLACES = ["main", "advanced", "unused"] as const;
const KINDS = [{ type: "text" }, { type: "secret" }, { type: "bool" }] as FieldSpec["kind"][];

it("each field is asked where its place says, the secret beside the client ID, the unused nowhere", () => {
  const fields: FieldSpec[] = [];
  let i = 0;
  for (const place of PLACES)
    for (const kind of KINDS) fields.push({ name: `f${i++}`, label: "L", help: "H", kind, required: false, place });
  const { main, advanced } = formFields({ fields } as Template);
  for (const f of fields) {
    const where = main.includes(f) ? "main" : advanced.includes(f) ? "advanced" : "none";
    const want = f.kind.type === "secret" || f.place === "unused" ? "none" : f.place;
    expect(where, `${f.place} ${f.kind.type}`).toBe(want);
  }
  // In the template's order.
  expect(main).toEqual(fields.filter((f) => main.includes(f)));
  expect(formFields(undefined)).toEqual({ main: [], advanced: [] });
});

it("a form differs from how it opened when a value changes, not when a blank is added or the order moves", () => {
  const opened = unsavedChanges.snapshot({ handle: "", label: "", values: { a: "1", b: "" } });
  expect(unsavedChanges.differ(opened, { handle: "", label: "", values: { a: "1", b: "" } })).toBe(false);
  expect(unsavedChanges.differ(opened, { label: "", handle: "", values: { c: "", a: "1" } })).toBe(false);
  for (const change of [{ handle: "x" }, { label: "x" }, { values: { a: "2" } }, { values: { a: "1", b: "x" } }]) {
    expect(unsavedChanges.differ(opened, { handle: "", label: "", values: { a: "1", b: "" }, ...change })).toBe(true);
  }
});
