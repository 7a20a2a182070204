import { describe, expect, it } from "vitest";
import { signInLabel } from "./signIn";
import type { ConnectionStatus } from "../bindings/ConnectionStatus";

const states: ConnectionStatus[] = ["connected", "expired", "failing", "never", "signed_out", "settings_changed"];

describe("signInLabel", () => {
  it("says Re-authorize only while a sign-in's token is held", () => {
    for (const state of states) {
      for (const expires_at of [null, "2030-01-01T00:00:00Z"]) {
        const label = signInLabel({ state, expires_at });
        if (state === "signed_out" || state === "settings_changed") expect(label).toBe("Sign in");
        else if (state === "never") expect(label).toBe("Authorize");
        else expect(label).toBe(expires_at !== null || state === "connected" ? "Re-authorize" : "Authorize");
      }
    }
  });
});
