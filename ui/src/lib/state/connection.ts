// How a profile's connection reads in the list: the badge's words, whether it expires soon,
// and a certificate close to expiry. Pure functions of the summary and the clock's `now`.
import { CONNECTION_STATUS_LABELS, type ProfileSummary } from "../../api";
import { duration, secondsUntil } from "../time";

/** Connected, with less than five minutes left. */
export function expiringSoon(p: ProfileSummary, now: number): boolean {
  const at = p.connection.expires_at;
  return p.connection.state === "connected" && at !== null && secondsUntil(at, now) < 300;
}

/** "connected · 4m 09s left", "connected · expiring soon · 12s left", "failing", … */
export function badge(p: ProfileSummary, now: number): string {
  const c = p.connection;
  const label = CONNECTION_STATUS_LABELS[c.state];
  const soon = expiringSoon(p, now) ? " · expiring soon" : "";
  return c.state === "connected" && c.expires_at
    ? `${label}${soon} · ${duration(secondsUntil(c.expires_at, now))} left`
    : label;
}

/** A certificate close to expiry is shown like a token's: in days, in red within 30. */
export function certificateNote(p: ProfileSummary, now: number): string | null {
  const at = p.connection.certificate_expires_at;
  if (!at) return null;
  const days = Math.floor(secondsUntil(at, now) / 86_400);
  if (days >= 30) return null;
  return days < 0 ? "certificate expired" : `certificate: ${days} day${days === 1 ? "" : "s"} left`;
}
