// How long a device sign-in's code still works, in words, from the device authorization's
// expires_in (RFC 8628 §3.2) and when the code was shown: a countdown, not a fixed figure.
import { duration } from "./time";

export function deviceLeft(expiresIn: number, shownAt: number, now: number): string {
  const left = Math.max(0, Math.floor(expiresIn - (now - shownAt) / 1000));
  return left > 0 ? `The code expires in ${duration(left)}.` : "The code has expired: start the sign-in again.";
}
