// Keys in the window: a Salesforce JWT bearer profile gets a key and a certificate made
// here, the window says where to upload the certificate, and shows the assertion it would
// send (decoded, no signature). The key itself is never on screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { listItem, press, saveScreenshot, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

test("a key made in the window, its certificate's facts and the assertion to send", async () => {
  ctx.env.addProfile("salesforce-jwt-bearer", "sf-jwt", {
    fields: { client_id: "3MVG9-consumer-key", username: "integration@acme.example" },
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "sf-jwt", 10_000);
    await item.click();
    await shown(app, tid.keysPanel);
    await press(app, tid.generateKey);
    const subject = await shown(app, tid.certSubject, 20_000);
    assert.equal(await subject.getText(), "CN=OAuth Desk sf-jwt");
    assert.match(await (await shown(app, tid.keyFacts)).getText(), /RSA/);
    assert.match(await (await shown(app, tid.certExpiry)).getText(), /days left/);
    assert.match(await (await shown(app, tid.uploadSteps)).getText(), /External Client App Manager/);
    await press(app, tid.previewAssertion);
    const assertion = await (await shown(app, tid.assertion)).getText();
    assert.match(assertion, /"aud": "https:\/\/login\.salesforce\.com"/);
    assert.match(assertion, /"sub": "integration@acme\.example"/);
    assert.match(assertion, /"alg": "RS256"/, "Salesforce verifies RS256 only");
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!page.includes("PRIVATE KEY"), "the key is never on screen");
    await saveScreenshot(app, "keys.png");
  } finally {
    await app.quit();
  }
});
