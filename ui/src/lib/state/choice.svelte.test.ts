// Export's choice: the search narrows what is listed, All and None act on what is listed
// only, and what is chosen outside the search stays as it was.
import { expect, it } from "vitest";
import type { ProfileSummary } from "../../api";
import { Choice } from "./choice.svelte";
import { connection } from "./testing";

function profiles(n: number): ProfileSummary[] {
  return Array.from({ length: n }, (_, i) => ({
    handle: `p-${i}`,
    label: i % 3 === 0 ? `Acme ${i}` : `Other ${i}`,
    template: "client-credentials",
    connection: connection("never"),
  }));
}

it("starts with every profile chosen, or with those given", () => {
  const all = profiles(1009);
  expect(new Choice(all).chosen).toHaveLength(1009);
  expect(new Choice(all, ["p-5", "p-2"]).chosen).toEqual(["p-2", "p-5"]);
});

it("All and None act on the profiles the search lists, and leave the others as they were", () => {
  const all = profiles(60);
  for (const query of ["", "acme", "OTHER 1", "p-4", "nothing"]) {
    for (const start of [[], ["p-0", "p-1", "p-30"], all.map((p) => p.handle)]) {
      for (const act of ["all", "none"] as const) {
        const c = new Choice(all, start);
        c.query = query;
        const listed = all
          .filter((p) => `${p.label} ${p.handle}`.toLowerCase().includes(query.trim().toLowerCase()))
          .map((p) => p.handle);
        expect(c.shown.map((p) => p.handle)).toEqual(listed);
        c[act]();
        const what = `${query}/${start.length}/${act}`;
        for (const p of all) {
          const want = listed.includes(p.handle) ? act === "all" : start.includes(p.handle);
          expect(c.has(p.handle), `${what} ${p.handle}`).toBe(want);
        }
        // The chosen list follows the profiles' order.
        expect(c.chosen, what).toEqual(all.filter((p) => c.has(p.handle)).map((p) => p.handle));
      }
    }
  }
});

it("a box ticked or unticked changes that profile alone", () => {
  const all = profiles(10);
  const c = new Choice(all, []);
  for (const p of all) {
    c.toggle(p.handle, true);
    expect(c.chosen).toContain(p.handle);
  }
  c.toggle("p-3", false);
  expect(c.chosen).toEqual(all.map((p) => p.handle).filter((h) => h !== "p-3"));
});
