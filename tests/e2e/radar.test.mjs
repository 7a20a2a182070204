// The Radar panel: reachable from the sidebar, it lists exactly the profiles a dated provider
// change will break (here two authorization-code profiles of one Consumer Key at two orgs
// without PKCE), each with its date, why, fix and a source link; the others are absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { press, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

test("The Radar lists the profiles at risk with date, why, fix and source", async () => {
  for (const [handle, org] of [
    ["org-a", "https://org-a.my.salesforce.com"],
    ["org-b", "https://org-b.my.salesforce.com"],
  ]) {
    ctx.env.addProfile("salesforce-authorization-code", handle, {
      fields: { client_id: "3MVG9shared", my_domain: org, pkce: "false" },
    });
  }
  ctx.env.addProfile("client-credentials", "api", {
    fields: { token_url: "https://auth.example.com/token", client_id: "machine" },
    secret: "s3cret-value",
  });
  const app = await ctx.env.open();
  try {
    await press(app, tid.openRadar);
    await shown(app, tid.radarPanel);
    await app.wait(
      async () => (await app.findElements(By.css(`[data-testid="${tid.radarWarning}"]`))).length > 0,
      10_000,
    );
    const items = await app.findElements(By.css(`[data-testid="${tid.radarWarning}"]`));
    const listed = await Promise.all(
      items.map(async (i) => `${await i.getAttribute("data-handle")}:${await i.getAttribute("data-kind")}`),
    );
    assert.deepEqual(listed.sort(), ["org-a:pkce_required", "org-b:pkce_required"]);
    const text = await items[0].getText();
    assert.match(text, /2026-05-11/);
    assert.match(text, /PKCE/);
    assert.match(text, /Fix:/);
    assert.ok(await items[0].findElement(By.css(`[data-testid="${tid.radarSource}"]`)).isDisplayed());
    assert.match(text, /https:\/\/developer\.salesforce\.com\//);
  } finally {
    await app.quit();
  }
});
