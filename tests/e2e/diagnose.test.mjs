// Diagnose in the window: a profile with a wrong secret against a real OAuth server
// (npm's oidc-provider) shows the failing stage, the cause and the fix steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { saveScreenshot, shown, suite } from "./driver.mjs";

const ctx = suite({ idp: true });

test("Diagnose names the cause and the fix of a wrong secret", async () => {
  ctx.env.addProfile("client-credentials", "wrong-secret", {
    fields: { token_url: ctx.idp.url("/token"), client_id: "cc-basic" },
    secret: "not-the-secret",
  });
  const app = await ctx.env.open();
  try {
    const item = await app.wait(
      until.elementLocated(By.css('[data-testid="profile-item"][data-handle="wrong-secret"]')),
      10_000,
    );
    await item.click();
    await (await shown(app, "diagnose")).click();
    const cause = await shown(app, "diagnose-cause", 20_000);
    assert.match(await cause.getText(), /did not accept the client's credentials/);
    assert.match(await cause.getText(), /invalid_client/);
    assert.match(await (await shown(app, "diagnose-fix")).getText(), /Copy the client ID and secret again/);
    const stage = await shown(app, "stage-token_endpoint");
    assert.match(await stage.getText(), /^✗/);
    assert.match(await (await shown(app, "stage-network")).getText(), /^✓/);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!page.includes("not-the-secret"), "the secret appears nowhere in the window");
    await saveScreenshot(app, "diagnose.png");
  } finally {
    await app.quit();
  }
});
