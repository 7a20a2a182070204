// An action: busy while it runs, its failure's message for people when it fails, cleared
// when it runs again; its value when it succeeds.
import { expect, it } from "vitest";
import { ApiError } from "../../api";
import { Action } from "./action.svelte";
import { deferred } from "./testing";

it("is busy while it runs, and keeps the last run's failure only", async () => {
  const failures: [unknown, string][] = [
    [new ApiError({ code: "invalid_input", message: "Client ID is empty" }), "Client ID is empty"],
    [
      new ApiError({ code: "not_ready", message: "No client secret", need: "client_secret" }),
      "No client secret. Set the client secret with Edit.",
    ],
    [new Error("boom"), "Error: boom"],
  ];
  const action = new Action();
  for (const [thrown, message] of failures) {
    const work = deferred<number>();
    const run = action.run(() => work.promise);
    expect(action.busy).toBe(true);
    expect(action.error).toBe("");
    work.reject(thrown);
    expect(await run).toBeUndefined();
    expect(action.busy).toBe(false);
    expect(action.error).toBe(message);
  }
  expect(await action.run(async () => 42)).toBe(42);
  expect(action.error).toBe("");
  await action.run(() => Promise.reject(new Error("again")));
  action.clear();
  expect(action.error).toBe("");
});
