// Sandbox practice: the failure modes are listed by provider and stage in words; a reopened
// panel says how each profile stands (never a bare "…"); and after "Healthy again" the
// profiles that failed because of the sandbox are tried again instead of staying "failing".
import { test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { listItem, press, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

const step = (app, handle) => app.findElement(By.css(`[data-testid="${tid.sandboxStep}"][data-handle="${handle}"]`));
const badge = (app, handle) =>
  app.findElement(
    By.css(`[data-testid="${tid.profileItem}"][data-handle="${handle}"] [data-testid="${tid.statusBadge}"]`),
  );

test("Failure modes in words by provider and stage; a reopened panel; Healthy again tries the failing again", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.trySandbox);
    await shown(app, tid.sandboxIssuer, 15_000);
    for (const handle of ["sandbox-api", "sandbox-salesforce"]) {
      await app.wait(async () => /connected/.test(await (await step(app, handle)).getText()), 15_000, handle);
    }

    // Grouped by provider and stage, named in words (not ids).
    const select = await shown(app, tid.sandboxMode);
    const groups = await Promise.all(
      (await select.findElements(By.css("optgroup"))).map((g) => g.getAttribute("label")),
    );
    assert.ok(groups.includes("Salesforce · token stage"), `groups: ${groups.join(" | ")}`);
    assert.ok(
      groups.some((g) => /^Any provider \(RFC\) · /.test(g)),
      `groups: ${groups.join(" | ")}`,
    );
    for (const o of await select.findElements(By.css("option"))) {
      const [value, text] = [await o.getAttribute("value"), await o.getAttribute("textContent")];
      if (value) assert.ok(!text.includes(value), `an option reads as its id: ${text}`);
    }

    // A failure, and the profile fails on a new token.
    await select.findElement(By.css('option[value="salesforce-no-run-as-user"]')).click();
    await press(app, tid.sandboxApply);
    await shown(app, tid.sandboxModeNote);
    await (await listItem(app, "sandbox-salesforce")).click();
    await press(app, tid.connectForce);
    await shown(app, tid.connectError, 20_000);
    await app.wait(async () => /failing/.test(await (await badge(app, "sandbox-salesforce")).getText()), 10_000);

    // Reopened: each line says how its profile stands.
    await press(app, tid.openSandbox);
    await shown(app, tid.sandboxIssuer);
    for (const handle of ["sandbox-api", "sandbox-salesforce", "sandbox-keycloak", "sandbox-sign-in"]) {
      const text = (await (await step(app, handle)).getText()).replace(handle, "").trim();
      assert.ok(text !== "…" && text.length > 2, `${handle} reads "${text}"`);
    }
    assert.match(await (await step(app, "sandbox-salesforce")).getText(), /failing/);

    // Healthy again: the failing profile is tried again and connects.
    await (await shown(app, tid.sandboxMode)).findElement(By.css('option[value=""]')).click();
    await press(app, tid.sandboxApply);
    await app.wait(
      async () => /connected/.test(await (await badge(app, "sandbox-salesforce")).getText()),
      20_000,
      "sandbox-salesforce is tried again and connects",
    );
    assert.match(await (await shown(app, tid.sandboxModeNote)).getText(), /Healthy again/);
  } finally {
    await app.quit();
  }
});
