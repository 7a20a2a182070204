// How a connection reads in the list: the limits are the core's (the connection state says
// from when a token is expiring soon, and whether a certificate is close to its end); the
// window follows them at every distance around them.
import { expect, it } from "vitest";
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";
import { CONNECTION_STATUS_LABELS, type ProfileSummary } from "../../api";
import { badge, certificateNote, expiringSoon } from "./connection";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
/** A summary as the core reads it: `soonIn` seconds until the token is expiring soon. */
const profile = (
  state: ConnectionStatus,
  expires: number | null,
  soonIn: number | null = null,
  certificate: { days: number; expiring: boolean } | null = null,
): ProfileSummary => ({
  handle: "p",
  label: "p",
  template: "t",
  connection: {
    state,
    expires_at: expires === null ? null : at(expires),
    connected_at: null,
    last_attempt_at: null,
    last_error: null,
    certificate_expires_at: certificate === null ? null : at(certificate.days * 86_400 + 10),
    expiring_soon: soonIn !== null && soonIn < 0,
    expiring_soon_at: soonIn === null ? null : at(soonIn),
    certificate_days_left: certificate?.days ?? null,
    certificate_expiring: certificate?.expiring ?? false,
  },
});

it("a connected profile is expiring soon once the clock passes the core's moment; no other state ever is", () => {
  for (const state of Object.keys(CONNECTION_STATUS_LABELS) as ConnectionStatus[]) {
    for (const soonIn of [-60, -1, 0, 1, 3600, null]) {
      const p = profile(state, soonIn === null ? null : soonIn + 600, soonIn);
      const soon = state === "connected" && soonIn !== null && soonIn < 0;
      expect(expiringSoon(p, NOW), `${state} ${soonIn}`).toBe(soon);
      const text = badge(p, NOW);
      expect(text.startsWith(CONNECTION_STATUS_LABELS[state]), text).toBe(true);
      expect(text.includes("expiring soon"), text).toBe(soon);
      expect(text.endsWith(" left"), text).toBe(state === "connected" && soonIn !== null);
    }
  }
  expect(badge(profile("connected", 249, -51), NOW)).toBe("connected · expiring soon · 4m 09s left");
});

it("a certificate shows when the core says it is close to its end, in days, and once expired", () => {
  for (const days of [-2, -1, 0, 1, 2, 29, 30, 31, 400]) {
    for (const expiring of [true, false]) {
      const note = certificateNote(profile("connected", null, null, { days, expiring }));
      if (!expiring) expect(note, `${days}`).toBeNull();
      else if (days < 0) expect(note).toBe("certificate expired");
      else expect(note).toBe(`certificate: ${days} day${days === 1 ? "" : "s"} left`);
    }
  }
  expect(certificateNote(profile("connected", null))).toBeNull();
});
