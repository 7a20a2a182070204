// Small time helpers for countdowns and badges.

/** "1h 02m 05s", "4m 09s", "12s" for a number of seconds (never negative). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m ${pad(rest)}s`;
  if (m > 0) return `${m}m ${pad(rest)}s`;
  return `${rest}s`;
}

/** Seconds from `now` until an RFC 3339 time. */
export function secondsUntil(iso: string, now: number): number {
  return (Date.parse(iso) - now) / 1000;
}
