// The list: every profile that matches every filter and no other, in the order chosen; the
// density remembered.
import { beforeEach, expect, it, vi } from "vitest";
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";
import type { ProfileSummary, Template } from "../../api";
import { CONNECTION_STATUS_LABELS } from "../../api";
import { connection, memoryStorage } from "./testing";

vi.mock("../../api", async (original) => ({ ...(await original<typeof import("../../api")>()), call: vi.fn() }));
const { ListView } = await import("./list.svelte");
const { Profiles } = await import("./profiles.svelte");

const STATES = Object.keys(CONNECTION_STATUS_LABELS) as ConnectionStatus[];
const TEMPLATES = ["client-credentials", "custom-oauth2", "salesforce-jwt"];

/** Profiles of every state and template, some with an expiry, in a scrambled order. */
function profiles(): ProfileSummary[] {
  const out: ProfileSummary[] = [];
  for (let i = 0; i < 60; i++) {
    const state = STATES[(i * 7) % STATES.length];
    out.push({
      handle: `p-${(i * 37) % 101}`,
      label: i % 5 === 0 ? `Acme ${i}` : `Other ${i}`,
      template: TEMPLATES[i % TEMPLATES.length],
      connection: connection(
        state,
        i % 3 === 0 ? null : new Date(Date.UTC(2030, 0, 1, 0, (i * 13) % 60)).toISOString(),
      ),
    });
  }
  return out;
}

beforeEach(() => vi.stubGlobal("localStorage", memoryStorage()));

const templates = TEMPLATES.map((id) => ({ id, name: `Name of ${id}` }) as Template);
const make = () => new ListView(new Profiles({ profiles: profiles(), templates, info: null, error: "" }));

it("shows exactly the profiles every filter lets through, in the order chosen", () => {
  const all = profiles();
  const rank = (s: string) => ["failing", "expired", "settings_changed", "signed_out", "never", "connected"].indexOf(s);
  for (const query of ["", "acme", "P-1", "name of custom", "nothing like this"]) {
    for (const status of ["all", ...STATES]) {
      for (const template of ["all", ...TEMPLATES]) {
        for (const order of ["label", "status", "expiry"] as const) {
          const list = make();
          Object.assign(list, { query, status, template, order });
          const expected = all.filter(
            (p) =>
              (status === "all" || p.connection.state === status) &&
              (template === "all" || p.template === template) &&
              `${p.label} ${p.handle} Name of ${p.template}`.toLowerCase().includes(query.toLowerCase()),
          );
          const shown = list.shown;
          const what = `${query}/${status}/${template}/${order}`;
          expect(new Set(shown.map((p) => p.handle)), what).toEqual(new Set(expected.map((p) => p.handle)));
          expect(list.filtered, what).toBe(query !== "" || status !== "all" || template !== "all");
          for (let i = 1; i < shown.length; i++) {
            const [a, b] = [shown[i - 1], shown[i]];
            if (order === "status")
              expect(rank(a.connection.state), what).toBeLessThanOrEqual(rank(b.connection.state));
            if (order === "expiry")
              expect((a.connection.expires_at ?? "9999") <= (b.connection.expires_at ?? "9999"), what).toBe(true);
          }
          // "By name" keeps the list's own order.
          if (order === "label") expect(shown, what).toEqual(expected);
        }
      }
    }
  }
});

it("the templates in use, each once, sorted, for the template filter", () => {
  expect(make().usedTemplates).toEqual([...TEMPLATES].sort());
});

it("the density is remembered", () => {
  const list = make();
  expect(list.compact).toBe(false);
  list.compact = true;
  expect(make().compact).toBe(true);
  list.compact = false;
  expect(make().compact).toBe(false);
});

const { slice, keepTop } = await import("./list.svelte");

it("renders the items in view, and never nothing, wherever the list was scrolled and whatever its length or density", () => {
  for (const total of [0, 1, 7, 30, 101, 1009]) {
    for (const item of [40, 72]) {
      for (const height of [0, 200, 600, 1400]) {
        // Every scroll position of a list of any length and density: a list that was longer
        // or taller leaves `top` beyond the end.
        for (const top of [0, 1, 39, 500, 5_000, 40_000, 72_000, 1_000_000]) {
          const s = slice(total, item, top, height);
          const what = `${total} × ${item}px, ${height}px high, at ${top}`;
          expect(s.first, what).toBeGreaterThanOrEqual(0);
          expect(s.first + s.count, what).toBeLessThanOrEqual(total);
          expect(s.before + s.count * item + s.after, what).toBe(total * item);
          expect(s.after, what).toBeGreaterThanOrEqual(0);
          if (total > 0) expect(s.count, what).toBeGreaterThan(0);
          // Each item the view shows (where the browser clamps the scroll) is rendered.
          const clamped = Math.max(0, Math.min(top, total * item - height));
          const inView = [Math.floor(clamped / item), Math.min(total, Math.ceil((clamped + height) / item)) - 1];
          if (total > 0 && height > 0) {
            expect(s.first, what).toBeLessThanOrEqual(Math.max(0, inView[0]));
            expect(s.first + s.count - 1, what).toBeGreaterThanOrEqual(Math.min(total - 1, inView[1]));
          }
        }
      }
    }
  }
});

it("another density keeps the item at the top of the view at the top", () => {
  for (const [from, to] of [
    [72, 40],
    [40, 72],
  ]) {
    for (let top = 0; top < 20_000; top += 333) {
      const index = Math.floor(top / from);
      expect(Math.floor(keepTop(top, from, to) / to)).toBe(index);
    }
  }
});
