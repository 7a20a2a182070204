// How a connection's stored state and its results read in the Connection card and under
// Diagnose: what to do in a state with nothing to show, and a result marked old once the
// core says something newer happened. The core decides the state and what is newer; these
// only word it.
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";
import type { Newer } from "../../bindings/Newer";

/** What the card says, and what to do, in a state that has no token and no failure to show. */
export function stateAdvice(state: ConnectionStatus, signsIn: boolean): string | null {
  const get = signsIn ? "Authorize to sign in and get a token" : "Connect to get a token and call the test URL";
  switch (state) {
    case "never":
      return `Never tried. ${get}.`;
    case "signed_out":
      return `Signed out: its tokens were revoked or forgotten on purpose. ${get}.`;
    case "settings_changed":
      return `Its settings changed, so the token issued for the old ones was dropped. ${get} with the new settings.`;
    case "expired":
      return `The token expired. ${signsIn ? "Refresh now or Authorize again" : "Connect"} to get a new one.`;
    default:
      return null;
  }
}

/** "10:42:05" for an RFC 3339 time, as the window's locale writes a time. */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}

/** "from 10:42:05, before the last successful connect" for a result the core says is old. */
export function oldNote(at: string, newer: Newer | null): string | null {
  if (newer === null) return null;
  const since = newer === "connected" ? "the last successful connect" : "a newer attempt";
  return `From ${clockTime(at)}, before ${since}.`;
}
