// Leaving a form with unsaved changes waits for the person: every way out (another profile,
// a new form, a panel, closing) is held until the changes are discarded, and nothing is
// held when there are none.
import { beforeEach, expect, it, vi } from "vitest";
import { memoryStorage } from "./testing";
import { Nav, type View } from "./nav.svelte";

beforeEach(() => vi.stubGlobal("localStorage", memoryStorage()));

/** Every way the window can leave the form, and the view it leads to. */
const WAYS: [string, (n: Nav) => void, View][] = [
  ["show", (n) => n.show("other"), { kind: "show", handle: "other" }],
  ["edit", (n) => n.edit("other"), { kind: "edit", handle: "other" }],
  ["explain", (n) => n.explain(), { kind: "explain" }],
  ["test all", (n) => n.testAll([]), { kind: "test-all", handles: [] }],
  ["sandbox", (n) => n.sandbox(false), { kind: "sandbox", tryIt: false }],
  ["close", (n) => n.close(), { kind: "empty" }],
];

for (const start of [{ kind: "create" }, { kind: "edit", handle: "mine" }] as View[]) {
  for (const [way, go, to] of WAYS) {
    it(`${way} from ${start.kind} asks when the form has unsaved changes, and only then`, () => {
      for (const dirty of [false, true]) {
        const nav = new Nav(() => false);
        nav.view = start;
        nav.unsaved = () => dirty;
        go(nav);
        if (!dirty) {
          expect(nav.view).toEqual(to);
          expect(nav.pending).toBeNull();
          continue;
        }
        expect(nav.view).toEqual(start);
        expect(nav.pending).toEqual(to);
        // Keep editing: still in the form, and asked again next time.
        nav.keep();
        expect(nav.view).toEqual(start);
        expect(nav.pending).toBeNull();
        go(nav);
        expect(nav.pending).toEqual(to);
        // Discard: where it was asked to go.
        nav.discard();
        expect(nav.view).toEqual(to);
        expect(nav.pending).toBeNull();
        expect(nav.unsaved).toBeNull();
        if (to.kind === "show") expect(localStorage.getItem("oauthdesk.selected")).toBe(to.handle);
      }
    });
  }
}

it("going to the view already shown asks nothing", () => {
  const nav = new Nav(() => false);
  nav.create();
  nav.unsaved = () => true;
  nav.create();
  expect(nav.pending).toBeNull();
  expect(nav.view).toEqual({ kind: "create" });
});
