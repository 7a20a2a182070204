// A secret by reference in the window: a profile made in the form reads its client secret from a
// file when a token is needed (the value is never shown), and a reference that cannot be read is
// diagnosed at the secret source, before the token endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { By } from "selenium-webdriver";
import { listItem, press, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });
const SECRET = "basic-secret";

/** Chooses the form's template by its id. */
async function choose(app, id) {
  await app.executeScript(
    "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
    await shown(app, tid.field("template")),
    id,
  );
}

test("A secret reference typed in the form gets a token and never shows the value", async () => {
  const file = path.join(ctx.env.dataDir, "client-secret.txt");
  writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    await choose(app, "client-credentials");
    await type(app, tid.field("handle"), "by-reference");
    await type(app, tid.field("token_url"), ctx.idp.url("/token"));
    await type(app, tid.field("client_id"), "cc-basic");
    await type(app, tid.field("scopes"), "api");
    // The reference sits under Advanced, out of the keyboard path of a typed secret.
    await (await app.findElement(By.css(`[data-testid="${tid.advancedFields}"] summary`))).click();
    await type(app, tid.field("secret_ref"), `file:${file}`);
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    assert.match(await (await shown(app, tid.secretState)).getText(), /read from file:.*client-secret\.txt/);

    await press(app, tid.connect);
    assert.match(await (await shown(app, tid.tokenExpiry, 20_000)).getText(), /^in /);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!page.includes(SECRET), "the value read appears nowhere in the window");
    const shownJson = JSON.parse(ctx.env.cli(["show", "by-reference", "--json"]));
    assert.equal(shownJson.secret_ref, `file:${file}`);
    assert.ok(!JSON.stringify(shownJson).includes(SECRET), "show --json holds the reference, never the value");

    // The file is gone: the next Connect's failure and Diagnose both name the secret source.
    rmSync(file);
    ctx.env.cli(["revoke", "by-reference"]);
    await press(app, tid.diagnose);
    const stage = await shown(app, tid.stage("secret_source"), 20_000);
    await app.wait(async () => /^✗/.test(await stage.getText()), 10_000, "the secret source fails");
    assert.match(await (await shown(app, tid.diagnoseCause)).getText(), /Nothing is kept where the reference points/);
    // The stage names the reference it read, never a value.
    assert.match(await (await shown(app, tid.diagnosePanel)).getText(), /client-secret\.txt/);
  } finally {
    await app.quit();
  }
});

test("A reference that is not in the grammar is refused under its own field, and nothing is stored", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    await choose(app, "client-credentials");
    await type(app, tid.field("handle"), "bad-reference");
    await type(app, tid.field("token_url"), ctx.idp.url("/token"));
    await type(app, tid.field("client_id"), "cc-basic");
    await (await app.findElement(By.css(`[data-testid="${tid.advancedFields}"] summary`))).click();
    await type(app, tid.field("secret_ref"), "vault:/no-mount");
    // The fold closed again: the problem opens it so it is seen.
    await (await app.findElement(By.css(`[data-testid="${tid.advancedFields}"] summary`))).click();
    await press(app, tid.saveProfile);
    const problem = await shown(app, tid.problem("secret_ref"));
    assert.match(await problem.getText(), /vault|reference/i);
    assert.doesNotMatch(ctx.env.cli(["list"]), /bad-reference/, "nothing stored");
  } finally {
    await app.quit();
  }
});
