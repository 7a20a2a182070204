// The sign-in button's words and where a token came from, for a profile whose grant signs a
// person in: "Re-authorize" only while a sign-in's token is held; "Sign in" when it was
// signed out or its settings changed; "Authorize" before the first sign-in.
import type { ConnectionState } from "../bindings/ConnectionState";
import type { TokenSource } from "../bindings/TokenSource";
import { TOKEN_SOURCE_LABELS } from "../bindings/contract";

export function signInLabel(c: Pick<ConnectionState, "state" | "expires_at">): string {
  switch (c.state) {
    case "never":
      return "Authorize";
    case "signed_out":
    case "settings_changed":
      return "Sign in";
    default:
      // Failing or expired without a token held: nothing to re-authorize yet.
      return c.expires_at !== null || c.state === "connected" ? "Re-authorize" : "Authorize";
  }
}

/** "from the cache", "new from the provider", or that the provider sent the same token again. */
export function sourceLabel(source: TokenSource): string {
  return TOKEN_SOURCE_LABELS[source];
}
