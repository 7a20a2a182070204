// How a profile's connection reads in the list: the badge's words, whether it expires soon,
// and a certificate close to expiry. Pure functions of the summary and the clock's `now`.
import { CONNECTION_STATUS_LABELS, type ProfileSummary } from "../../api";
import { duration, secondsUntil } from "../time";

/** Connected, and past the moment the core says the token is expiring soon (the limit is
 *  the core's: the connection state carries the moment, the clock moves past it). */
export function expiringSoon(p: ProfileSummary, now: number): boolean {
  const at = p.connection.expiring_soon_at;
  return p.connection.state === "connected" && at !== null && secondsUntil(at, now) < 0;
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

/** A certificate close to expiry (as the core counts it) is shown like a token's: in days. */
export function certificateNote(p: ProfileSummary): string | null {
  const days = p.connection.certificate_days_left;
  if (days === null || !p.connection.certificate_expiring) return null;
  return days < 0 ? "certificate expired" : `certificate: ${days} day${days === 1 ? "" : "s"} left`;
}
