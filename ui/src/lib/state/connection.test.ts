// How a connection reads in the list, at every distance from its expiry around the limits:
// five minutes for "expiring soon", thirty days for a certificate.
import { expect, it } from "vitest";
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";
import { CONNECTION_STATUS_LABELS, type ProfileSummary } from "../../api";
import { badge, certificateNote, expiringSoon } from "./connection";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
const profile = (
  state: ConnectionStatus,
  expires: number | null,
  certificate: number | null = null,
): ProfileSummary => ({
  handle: "p",
  label: "p",
  template: "t",
  connection: {
    state,
    expires_at: expires === null ? null : at(expires),
    last_attempt_at: null,
    last_error: null,
    certificate_expires_at: certificate === null ? null : at(certificate),
  },
});

it("a connected profile expires soon under five minutes; no other state ever does", () => {
  for (const state of Object.keys(CONNECTION_STATUS_LABELS) as ConnectionStatus[]) {
    for (const left of [-60, 0, 1, 299, 300, 301, 3600, null]) {
      const p = profile(state, left);
      const soon = state === "connected" && left !== null && left < 300;
      expect(expiringSoon(p, NOW), `${state} ${left}`).toBe(soon);
      const text = badge(p, NOW);
      expect(text.startsWith(CONNECTION_STATUS_LABELS[state]), text).toBe(true);
      expect(text.includes("expiring soon"), text).toBe(soon);
      expect(text.endsWith(" left"), text).toBe(state === "connected" && left !== null);
    }
  }
  expect(badge(profile("connected", 249), NOW)).toBe("connected · expiring soon · 4m 09s left");
});

it("a certificate shows within thirty days, in days, and once expired", () => {
  const day = 86_400;
  for (const days of [-2, -1, 0, 1, 2, 29, 30, 31, 400]) {
    const note = certificateNote(profile("connected", null, days * day + 10), NOW);
    if (days >= 30) expect(note, `${days}`).toBeNull();
    else if (days < 0) expect(note).toBe("certificate expired");
    else expect(note).toBe(`certificate: ${days} day${days === 1 ? "" : "s"} left`);
  }
  expect(certificateNote(profile("connected", null), NOW)).toBeNull();
});
