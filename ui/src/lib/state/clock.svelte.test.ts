// The one clock: it ticks each second while something reads it in an effect, and keeps no
// timer when nothing does.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { flushSync } from "svelte";
import { clock } from "./clock.svelte";

beforeEach(() => vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00Z") }));
afterEach(() => vi.useRealTimers());

it("every reader sees the same time, a second apart, and the timer stops with the last reader", () => {
  expect(vi.getTimerCount()).toBe(0);
  const seen: number[][] = [[], []];
  const stops = seen.map((s) =>
    $effect.root(() => {
      $effect(() => void s.push(clock.now));
    }),
  );
  flushSync();
  expect(vi.getTimerCount()).toBe(1);
  for (let i = 0; i < 5; i++) {
    vi.advanceTimersByTime(1000);
    flushSync();
  }
  expect(seen[0]).toEqual(seen[1]);
  const start = Date.parse("2030-01-01T00:00:00Z");
  expect(seen[0]).toEqual([0, 1, 2, 3, 4, 5].map((s) => start + s * 1000));
  stops[0]();
  flushSync();
  expect(vi.getTimerCount()).toBe(1);
  stops[1]();
  flushSync();
  expect(vi.getTimerCount()).toBe(0);
});
