// What each destructive action stops, in words, for the one confirmation (ui/Confirm.svelte).
// The facts come from the core (the key's previous key, the template's grant, where the
// provider takes the certificate); these functions only word them.
import type { Question } from "./state/ask.svelte";

/** Where the certificate goes, as the provider's facts say, or in general words. */
function where(uploadSteps?: string): string {
  return uploadSteps ? ` (${uploadSteps.replace(/\.$/, "")})` : "";
}

/** Making or importing a key for a profile that has one. */
export function newKey(
  handle: string,
  o: { previousKept: boolean; uploadSteps?: string; imported?: boolean },
): Question {
  const made = o.imported ? "The imported key" : "A new key";
  return {
    title: `${o.imported ? "Import a key" : "Make a new key"} for ${handle}?`,
    body: [
      `${made} replaces the current one. The provider refuses it until its certificate is uploaded${where(o.uploadSteps)}.`,
      o.previousKept
        ? "Nothing stops working now: the key that works today is kept as the previous key, and token requests the provider refuses with the new key are sent again with it. The new key that was never confirmed is replaced."
        : "Nothing stops working now: the current key is kept as the previous key until the new one has worked once or you say it is uploaded; until then token requests the provider refuses with the new key are sent again with the previous one.",
    ],
    yes: o.imported ? "Import the key" : "Make a new key",
  };
}

/** Removing the profile's key (and the previous one). */
export function removeKey(handle: string, o: { previousKept: boolean; uploadSteps?: string }): Question {
  return {
    title: `Remove the key of ${handle}?`,
    body: [
      `The next token request of ${handle} will fail: it signs with this key, and no other key can sign for it.`,
      (o.previousKept ? "The previous key kept for it is removed too. " : "") +
        `To connect again, make or import a key and upload its certificate to the provider${where(o.uploadSteps)}.`,
    ],
    yes: "Remove the key",
    yesId: undefined,
  };
}

/** Dropping the previous key on the person's word that the new certificate is uploaded. */
export function dropPrevious(handle: string, o: { uploadSteps?: string }): Question {
  return {
    title: `Is the new certificate of ${handle} uploaded?`,
    body: [
      "The previous key is dropped: token requests then sign with the new key alone.",
      `If the new certificate is not at the provider yet${where(o.uploadSteps)}, every token request will fail until it is.`,
    ],
    yes: "It is uploaded: drop the previous key",
  };
}

/** Revoke (a profile that signs a person in) or Forget (one that does not). */
export function revoke(handle: string, o: { signsIn: boolean }): Question {
  return o.signsIn
    ? {
        title: `Revoke the tokens of ${handle}?`,
        body: [
          "Its refresh and access tokens are revoked at the provider (where it offers revocation) and forgotten here.",
          `Scripts and apps that ask for the token of ${handle} will fail until someone signs in again with Sign in.`,
        ],
        yes: "Revoke",
      }
    : {
        title: `Forget the token of ${handle}?`,
        body: [
          "The stored token is forgotten here (revoked at the provider where it offers revocation).",
          `The next request for the token of ${handle} asks the provider for a new one; it fails only if the client's credentials no longer work.`,
        ],
        yes: "Forget the token",
      };
}

/** Removing a profile for good. */
export function removeProfile(handle: string, yesId?: string): Question {
  return {
    title: `Remove ${handle} for good?`,
    body: [
      `${handle} is deleted from this computer with its secret, key, tokens and history.`,
      `Scripts and apps that ask for the token of ${handle} will fail. The app at the provider is not changed.`,
    ],
    yes: "Remove for good",
    yesId,
  };
}

/** Sealing everything again under a new data key. */
export function rekey(yesId?: string): Question {
  return {
    title: "Rotate the data key?",
    body: [
      "Every client secret, key and token is sealed again under a new data key, kept in the OS keyring; the old key is removed from the keyring.",
      "Copies of the store made before (backups) need the old key: their secrets and tokens will not open any more. Profiles here keep working.",
    ],
    yes: "Rotate",
    yesId,
  };
}
