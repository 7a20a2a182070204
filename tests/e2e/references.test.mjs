// The references of the other secrets in the profile form: a JWT bearer profile whose key
// and key file password are read by reference is made under Advanced, a reference that is
// not one is told under its own input, the view says where each is read from, the form
// shows them again on edit and clears one left blank; the password grant offers its
// password's reference in place of the secret's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, Key } from "selenium-webdriver";
import { press, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

async function openAdvanced(app) {
  const fold = await shown(app, tid.advancedFields);
  if (!(await fold.getAttribute("open"))) await (await fold.findElement(By.css("summary"))).click();
}

test("a key and its file's password by reference are set under Advanced, shown, and cleared", async () => {
  const app = await ctx.env.open();
  const key = "vault://secret/app/jwt#private_key";
  try {
    await press(app, tid.newProfile);
    await (await shown(app, tid.field("template"))).sendKeys("JWT bearer (generic)");
    await type(app, tid.field("handle"), "keyed");
    await type(app, tid.field("token_url"), "https://auth.example.com/token");
    // The template's own issuer (the JWT's iss), after Discover's issuer URL of the same name.
    const issuers = await app.findElements(By.css(`[data-testid="${tid.field("issuer")}"]`));
    await issuers[issuers.length - 1].sendKeys("client-e2e");
    await type(app, tid.field("subject"), "service@example.com");
    await openAdvanced(app);
    // A reference that is not one: told under its own input, nothing made.
    await type(app, tid.field("key_ref"), "vault://secret/app/jwt");
    await type(app, tid.field("p12_password_ref"), "env:KEY_FILE_PASSWORD");
    await press(app, tid.saveProfile);
    assert.match(await (await shown(app, tid.problem("key_ref"))).getText(), /names no field/);
    assert.match(await (await shown(app, tid.formSummary)).getText(), /Private key reference/);
    await type(app, tid.field("key_ref"), key);
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    assert.match(
      await (await shown(app, tid.value("key_ref"))).getText(),
      /read from vault:\/\/secret\/app\/jwt#private_key/,
    );
    assert.match(await (await shown(app, tid.value("p12_password_ref"))).getText(), /read from env:KEY_FILE_PASSWORD/);
    const made = JSON.parse(ctx.env.cli(["show", "keyed", "--json"]));
    assert.deepEqual([made.fields.key_ref, made.fields.p12_password_ref], [key, "env:KEY_FILE_PASSWORD"]);

    // On edit the fold is open on them; a reference left blank is cleared.
    await press(app, tid.editProfile);
    assert.equal(await (await shown(app, tid.field("key_ref"))).getAttribute("value"), key);
    const password = await shown(app, tid.field("p12_password_ref"));
    await password.clear();
    await password.sendKeys(" ", Key.BACK_SPACE);
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    const edited = JSON.parse(ctx.env.cli(["show", "keyed", "--json"]));
    assert.deepEqual([edited.fields.key_ref, edited.fields.p12_password_ref], [key, undefined]);
  } finally {
    await app.quit();
  }
});

test("the password grant reads its password by its own reference", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    await press(app, tid.showLegacy);
    await (await shown(app, tid.field("template"))).sendKeys("Password grant (legacy)");
    await type(app, tid.field("handle"), "legacy-pw");
    await type(app, tid.field("token_url"), "https://auth.example.com/token");
    await type(app, tid.field("client_id"), "app");
    await type(app, tid.field("username"), "alice");
    await openAdvanced(app);
    assert.equal(
      (await app.findElements(By.css(`[data-testid="${tid.field("secret_ref")}"]`))).length,
      0,
      "the password's reference stands in place of the secret's",
    );
    await type(app, tid.field("password_ref"), "env:ALICE_PASSWORD");
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    assert.match(await (await shown(app, tid.secretState)).getText(), /read from env:ALICE_PASSWORD/);
    assert.equal(JSON.parse(ctx.env.cli(["show", "legacy-pw", "--json"])).fields.password_ref, "env:ALICE_PASSWORD");
  } finally {
    await app.quit();
  }
});
