import { describe, expect, it } from "vitest";
import { afterHealthy, storedStep } from "./sandbox";
import { connection } from "./state/testing";
import type { ConnectionStatus } from "../bindings/ConnectionStatus";
import type { ProfileSummary } from "../api";

const states: ConnectionStatus[] = ["connected", "expired", "failing", "never", "signed_out", "settings_changed"];
const summary = (handle: string, state: ConnectionStatus): ProfileSummary =>
  ({
    handle,
    label: handle,
    template: "client-credentials",
    connection: { ...connection(state), last_error: "boom" },
  }) as ProfileSummary;

describe("storedStep", () => {
  it("every stored state reads in words, never a bare ellipsis", () => {
    for (const s of states) {
      const step = storedStep(summary("h", s));
      expect(step.text).not.toMatch(/^…?$/);
      expect(step.ok).toBe(s === "connected" ? true : s === "failing" ? false : null);
    }
    expect(storedStep(summary("h", "failing")).text).toBe("failing: boom");
    expect(storedStep(undefined).text).toBe("not created yet");
  });
});

describe("afterHealthy", () => {
  it("tries again every broken profile that needs no person, and asks the sign-in to sign in again", () => {
    for (const s of states) {
      const list = ["a", "b", "sign-in"].map((h) => summary(h, s));
      const broken = s === "failing" || s === "expired" || s === "signed_out";
      const r = afterHealthy(["a", "b", "sign-in"], list, "sign-in");
      expect(r.retest).toEqual(broken ? ["a", "b"] : []);
      expect(r.signInAgain).toBe(broken);
    }
  });
});
