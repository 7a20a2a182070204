// The profiles state: reads sequenced so that an older answer never shows over a newer one,
// whatever order the answers arrive in; a profile gone elsewhere closes its pane; the Rust
// side's events read everything again.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";
import type { Profile, ProfileSummary } from "../../api";
import { connection, deferred, memoryStorage, permutations, settle } from "./testing";

// The bridge to Rust, replaced: each call is answered when the test says so.
const calls: { cmd: string; args: unknown; answer: ReturnType<typeof deferred<unknown>> }[] = [];
const listeners = new Map<string, () => void>();
vi.mock("../../api", async (original) => ({
  ...(await original<typeof import("../../api")>()),
  call: vi.fn((cmd: string, args?: unknown) => {
    const answer = deferred<unknown>();
    calls.push({ cmd, args, answer });
    return answer.promise;
  }),
  onEvent: vi.fn((event: string, handler: () => void) => {
    listeners.set(event, handler);
    return Promise.resolve(() => listeners.delete(event));
  }),
}));

const { Profiles } = await import("./profiles.svelte");
const { ApiError, EVENTS } = await import("../../api");

const summary = (handle: string): ProfileSummary => ({
  handle,
  label: handle,
  template: "client-credentials",
  connection: connection("never"),
});
/** Version `n` of the profile `handle`: its label says which read it came from. */
const version = (handle: string, n: number) => ({ ...summary(handle), label: `${handle} v${n}` }) as unknown as Profile;
const start = (handles: string[]) => ({ profiles: handles.map(summary), templates: [], info: null, error: "" });

/** Answers the `profile_get` and `profiles_list` of refresh number `i` (in start order). */
function answerRead(gets: typeof calls, lists: typeof calls, i: number, handle: string) {
  lists[i]?.answer.resolve([summary(handle)]);
  gets[i].answer.resolve(version(handle, i));
}

beforeEach(() => {
  calls.length = 0;
  listeners.clear();
  vi.stubGlobal("localStorage", memoryStorage());
});
afterEach(() => vi.unstubAllGlobals());

describe("reads of the selected profile", () => {
  it("show the latest read's answer, whatever order the answers arrive in", async () => {
    for (const n of [2, 3, 4]) {
      for (const order of permutations([...Array(n).keys()])) {
        calls.length = 0;
        const profiles = new Profiles(start(["a"]));
        profiles.nav.show("a");
        for (let i = 0; i < n; i++) void profiles.refresh();
        const gets = calls.filter((c) => c.cmd === "profile_get");
        const lists = calls.filter((c) => c.cmd === "profiles_list");
        expect(gets).toHaveLength(n);
        let newest = -1;
        for (const i of order) {
          answerRead(gets, lists, i, "a");
          await settle();
          // Never an older read over a newer one: what shows only moves forward.
          const shown = profiles.selected ? Number(profiles.selected.label.split(" v")[1]) : -1;
          newest = i === n - 1 ? i : newest;
          expect(shown, `answers in order ${order}`).toBe(newest);
        }
        expect(profiles.selected?.label).toBe(`a v${n - 1}`);
      }
    }
  });

  it("a save shows the saved profile even when a read begun before it answers later", async () => {
    for (const late of ["before", "after"] as const) {
      calls.length = 0;
      const profiles = new Profiles(start(["a"]));
      profiles.nav.show("a");
      void profiles.refresh(); // begun before the save
      const stale = calls.find((c) => c.cmd === "profile_get")!;
      const saving = profiles.saved(version("a", 9));
      if (late === "before") stale.answer.resolve(version("a", 0));
      const gets = calls.filter((c) => c.cmd === "profile_get");
      const after = gets[gets.length - 1];
      if (late === "after") stale.answer.resolve(version("a", 0));
      await settle();
      expect(profiles.selected?.label, `stale answer ${late}`).toBe("a v9");
      calls.filter((c) => c.cmd === "profiles_list").forEach((c) => c.answer.resolve([summary("a")]));
      after.answer.resolve(version("a", 10));
      await saving;
      expect(profiles.selected?.label).toBe("a v10");
    }
  });

  it("a profile gone elsewhere closes its pane; another failure is shown and keeps it", async () => {
    const profiles = new Profiles(start(["a"]));
    profiles.nav.show("a");
    void profiles.refresh();
    calls.find((c) => c.cmd === "profiles_list")!.answer.resolve([]);
    calls.find((c) => c.cmd === "profile_get")!.answer.reject(new ApiError({ code: "not_found", message: "gone" }));
    await settle();
    expect(profiles.nav.view).toEqual({ kind: "empty" });
    expect(profiles.loadError).toBe("");

    calls.length = 0;
    profiles.nav.show("b");
    void profiles.refresh();
    calls.find((c) => c.cmd === "profile_get")!.answer.reject(new ApiError({ code: "internal", message: "disk full" }));
    await settle();
    expect(profiles.nav.view).toEqual({ kind: "show", handle: "b" });
    expect(profiles.loadError).toBe("disk full");
  });
});

describe("following the store", () => {
  it("choosing a profile reads it, and each event from the Rust side reads everything again", async () => {
    const profiles = new Profiles(start(["a", "b"]));
    const stop = $effect.root(() => profiles.follow());
    flushSync();
    expect([...listeners.keys()].sort()).toEqual([EVENTS.connectionChanged, EVENTS.storeChanged].sort());

    profiles.nav.show("b");
    flushSync();
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([["profile_get", { handle: "b" }]]);
    calls[0].answer.resolve(version("b", 1));
    await settle();
    expect(profiles.selected?.label).toBe("b v1");

    for (const event of [EVENTS.connectionChanged, EVENTS.storeChanged]) {
      calls.length = 0;
      listeners.get(event)!();
      expect(calls.map((c) => c.cmd).sort(), event).toEqual(["profile_get", "profiles_list"]);
    }
    stop();
    await settle();
    expect(listeners.size).toBe(0);
  });
});

describe("the selection", () => {
  it("is remembered across launches while the profile is still there", () => {
    const first = new Profiles(start(["a", "b"]));
    first.nav.show("b");
    expect(new Profiles(start(["a", "b"])).nav.selectedHandle).toBe("b");
    expect(new Profiles(start(["a"])).nav.selectedHandle).toBe(null);
  });
});
