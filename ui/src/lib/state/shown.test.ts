import { describe, expect, test } from "vitest";
import { CONNECTION_STATUS_LABELS } from "../../bindings/contract";
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";
import { oldNote, stateAdvice } from "./shown";

describe("the card's words for a stored state", () => {
  const states = Object.keys(CONNECTION_STATUS_LABELS) as ConnectionStatus[];

  test("every state without a token or a failure to show says what to do, in the grant's words", () => {
    for (const state of states) {
      for (const signsIn of [true, false]) {
        const advice = stateAdvice(state, signsIn);
        if (state === "connected" || state === "failing") {
          expect(advice, state).toBeNull();
          continue;
        }
        expect(advice, state).toMatch(signsIn ? /Authorize/ : /Connect/);
        expect(advice, state).not.toMatch(signsIn ? /\bConnect\b/ : /Authorize/);
      }
    }
  });

  test("a result is marked old only when the core says something newer happened", () => {
    const at = "2026-12-07T10:42:05Z";
    expect(oldNote(at, null)).toBeNull();
    expect(oldNote(at, "connected")).toMatch(/^From .*, before the last successful connect\.$/);
    expect(oldNote(at, "attempt")).toMatch(/^From .*, before a newer attempt\.$/);
  });
});
