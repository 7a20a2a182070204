import { describe, expect, it } from "vitest";
import * as say from "./consequences";

// Every question names the profile, says what stops working, and words no CLI syntax.
const all = [
  ...[true, false].flatMap((previousKept) => [
    say.newKey("sf-prod", { previousKept, uploadSteps: "Upload it in Setup." }),
    say.newKey("sf-prod", { previousKept, imported: true }),
    say.removeKey("sf-prod", { previousKept, uploadSteps: "Upload it in Setup." }),
  ]),
  say.dropPrevious("sf-prod", {}),
  say.revoke("sf-prod", { signsIn: true }),
  say.revoke("sf-prod", { signsIn: false }),
  say.removeProfile("sf-prod"),
];

describe("consequences", () => {
  it("every question names the profile and what stops (or keeps) working", () => {
    for (const q of all) {
      expect(q.title).toContain("sf-prod");
      expect(q.body.join(" ")).toMatch(/fail|Nothing stops working/);
      expect(q.body.join(" ")).not.toMatch(/oauthdesk |--/);
      expect(q.yes.length).toBeGreaterThan(0);
    }
    expect(say.rekey().body.join(" ")).toMatch(/will not open/);
  });

  it("a new key says the previous key is kept until the new one works", () => {
    for (const previousKept of [true, false]) {
      const q = say.newKey("h", { previousKept, uploadSteps: "Upload it in Setup." });
      expect(q.body.join(" ")).toMatch(/previous key/);
      expect(q.body.join(" ")).toContain("(Upload it in Setup)");
    }
  });

  it("removing a key says the next token request fails", () => {
    expect(say.removeKey("h", { previousKept: false }).body[0]).toMatch(/next token request of h will fail/);
    expect(say.removeKey("h", { previousKept: true }).body[1]).toMatch(/previous key .* removed too/);
  });
});
