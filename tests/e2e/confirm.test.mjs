// Actions that stop something working ask first, in words that say what stops, in one
// dialog that holds the keyboard with the focus on the safe choice. A new key keeps the
// previous one until the new one has worked: against the stand-in Salesforce, which knows
// only the first key's certificate, the connection keeps working after "Make a new key".
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { byTestId, listItem, press, saveScreenshot, shown, suite } from "./driver.mjs";
import { startStandIn } from "../servers/start.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

/** The test id of the focused element. */
const focused = async (app) => (await app.switchTo().activeElement()).getAttribute("data-testid");

/** Opens the question `open` asks, checks its words and keyboard, and answers it. */
async function question(app, open, { says, yes, picture }) {
  await press(app, open);
  const dialog = await shown(app, tid.confirmDialog, 5_000);
  assert.equal(await dialog.getAttribute("role"), "alertdialog");
  assert.match(await (await shown(app, tid.confirmBody)).getText(), says);
  await app.wait(async () => (await focused(app)) === tid.confirmNo, 2_000, "the safe choice has the focus");
  if (picture) await saveScreenshot(app, picture);
  // Tab stays inside: the other button, then back to the safe one.
  await (await app.switchTo().activeElement()).sendKeys(Key.TAB);
  assert.notEqual(await focused(app), tid.confirmNo);
  await (await app.switchTo().activeElement()).sendKeys(Key.TAB);
  assert.equal(await focused(app), tid.confirmNo, "Tab cycles within the question");
  if (yes === undefined) {
    await (await app.switchTo().activeElement()).sendKeys(Key.ESCAPE);
  } else {
    await (await app.findElement(By.css(`[role="alertdialog"] button.danger`))).click();
  }
  await app.wait(until.stalenessOf(dialog), 5_000, "the question closes");
}

test("A new key keeps the previous one until it is uploaded; destructive key actions ask first", async () => {
  ctx.env.addProfile("salesforce-jwt-bearer", "sf-roll", {
    fields: { my_domain: "http://127.0.0.1:1", client_id: "sf-good", username: "integration@acme.example" },
  });
  ctx.env.cli(["key", "generate", "sf-roll"]);
  const certs = path.join(mkdtempSync(path.join(os.tmpdir(), "oauthdesk-certs-")), "uploaded.pem");
  writeFileSync(certs, ctx.env.cli(["key", "export-cert", "sf-roll"]));
  const sf = await startStandIn({ SALESFORCE_CERTS: certs });
  ctx.env.cli(["edit", "sf-roll", "--set", `my_domain=${sf.url("")}`, "--confirm-origins"]);
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "sf-roll")).click();
    await shown(app, tid.keysPanel);
    const facts = async () => (await shown(app, tid.keyFacts)).getText();
    const before = await facts();

    // Escape keeps the key.
    await question(app, tid.generateKey, { says: /previous key/ });
    assert.equal(await facts(), before, "cancelled: the same key");
    await question(app, tid.generateKey, {
      says: /Nothing stops working now/,
      yes: true,
      picture: "confirm-new-key.png",
    });
    const kept = await shown(app, tid.keyPrevious, 20_000);
    assert.match(await kept.getText(), /Previous key kept until the new one works/);
    assert.notEqual(await facts(), before, "a new key");
    await saveScreenshot(app, "keys-previous.png");

    // The provider does not know the new key: Connect still works, with the previous one.
    await press(app, tid.connectForce);
    await shown(app, tid.tokenInfo, 20_000);
    assert.equal(await (await shown(app, tid.testStatus)).getText(), "HTTP 200");
    assert.equal((await app.findElements(byTestId(tid.connectError))).length, 0);
    assert.match(await (await shown(app, tid.connectNote)).getText(), /obtained with the previous key/);

    // Still kept: the new key has not worked yet.
    await shown(app, tid.keyPrevious);

    // Removing the key says the next token request fails; cancelled here.
    await question(app, tid.removeKey, {
      says: /next token request of sf-roll will fail/,
      picture: "confirm-remove-key.png",
    });
    await shown(app, tid.keyFacts);

    // "I uploaded it" drops the previous key (asked first): the new key alone is refused.
    await question(app, tid.keyUploaded, { says: /every token request will fail until it is/, yes: true });
    await app.wait(
      async () => {
        try {
          return (await app.findElements(byTestId(tid.keyPrevious))).length === 0;
        } catch {
          return false; // the card is being drawn again
        }
      },
      10_000,
      "the previous key is dropped",
    );
    await press(app, tid.connectForce);
    assert.match(await (await shown(app, tid.connectError, 20_000)).getText(), /invalid/);
  } finally {
    await app.quit();
    await sf.stop();
  }
});

test("Forget, Remove and Rotate key say what stops working and do nothing until confirmed", async () => {
  ctx.env.addProfile("client-credentials", "cc-ask", {
    fields: { token_url: "http://127.0.0.1:9/token", client_id: "c" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "cc-ask")).click();
    await question(app, tid.revoke, { says: /next request for the token of cc-ask asks the provider for a new one/ });
    assert.equal((await app.findElements(byTestId(tid.connectNotice))).length, 0, "nothing was forgotten");
    await question(app, tid.removeProfile, { says: /Scripts and apps that ask for the token of cc-ask will fail/ });
    await listItem(app, "cc-ask");
    await question(app, tid.rekey, { says: /backups/ });
    assert.equal((await app.findElements(byTestId(tid.rekeyNote))).length, 0, "not rotated");
    await question(app, tid.rekey, { says: /backups/, yes: true });
    assert.match(await (await shown(app, tid.rekeyNote, 10_000)).getText(), /Sealed/);
    await question(app, tid.removeProfile, { says: /deleted from this computer/, yes: true });
    await app.wait(
      async () => (await app.findElements(By.css(`[data-handle="cc-ask"]`))).length === 0,
      10_000,
      "removed once confirmed",
    );
  } finally {
    await app.quit();
  }
});
