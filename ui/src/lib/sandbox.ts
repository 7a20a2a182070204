// What the sandbox panel says of each of its profiles when it did not connect them itself
// this time (the panel reopened while the sandbox runs), and which profiles "Healthy again"
// tries again: read from the profiles' stored connection state, the one the list's badges show.
import { CONNECTION_STATUS_LABELS, type ProfileSummary } from "../api";

export type Step = { ok: boolean | null; text: string };

/** A profile's line from its stored state: never a bare "…" for a profile that is known. */
export function storedStep(p: ProfileSummary | undefined): Step {
  if (!p) return { ok: null, text: "not created yet" };
  const c = p.connection;
  const label = CONNECTION_STATUS_LABELS[c.state];
  switch (c.state) {
    case "connected":
      return { ok: true, text: label };
    case "failing":
      return { ok: false, text: c.last_error ? `${label}: ${c.last_error}` : label };
    default:
      return { ok: null, text: label };
  }
}

/**
 * After the sandbox is healthy again: the profiles that failed (or expired) while it played a
 * failure. Those that connect without a person are tried again; the one that signs in gets a
 * hint to sign in again.
 */
export function afterHealthy(
  handles: string[],
  list: ProfileSummary[],
  signIn: string,
): { retest: string[]; signInAgain: boolean } {
  const broken = handles.filter((h) => {
    const s = list.find((p) => p.handle === h)?.connection.state;
    return s === "failing" || s === "expired" || s === "signed_out";
  });
  return { retest: broken.filter((h) => h !== signIn), signInAgain: broken.includes(signIn) };
}
