// What a person does in the window: create a Salesforce profile, restart the app, and find
// it listed with its secret kept in the keyring and shown only as a placeholder; export it
// to a file and import a shared copy.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, Key } from "selenium-webdriver";
import { answerSaveDialog, byTestId, listItem, press, saveScreenshot, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const SECRET = "e2e-consumer-secret-7f3a";
const ctx = suite();

test("a Salesforce profile created in the window survives a restart with its secret as a placeholder", async () => {
  let app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    const template = await shown(app, tid.field("template"));
    assert.equal(await template.getAttribute("value"), "salesforce-client-credentials");

    // Bad input first: every invalid field says what is wrong under it, in words, the
    // summary next to Create names them, and nothing is stored.
    await type(app, tid.field("handle"), "Acme Prod");
    await type(app, tid.field("my_domain"), "https://acme.lightning.force.com");
    await press(app, tid.saveProfile);
    const handleProblem = await shown(app, tid.problem("handle"));
    assert.doesNotMatch(await handleProblem.getText(), /^handle:/, "in words, not the raw field name");
    assert.match(await (await shown(app, tid.problem("my_domain"))).getText(), /acme\.my\.salesforce\.com/);
    assert.match(await (await shown(app, tid.problem("client_id"))).getText(), /required/);
    assert.match(await (await shown(app, tid.problem("client_secret"))).getText(), /required/);
    assert.match(await (await shown(app, tid.formSummary)).getText(), /fields need attention: Handle, My Domain URL/);

    await type(app, tid.field("handle"), "sf-e2e");
    await type(app, tid.field("label"), "Acme (end to end)");
    await type(app, tid.field("my_domain"), "https://acme.my.salesforce.com");
    await type(app, tid.field("client_id"), "3MVG9e2eConsumerKey");
    await type(app, tid.field("client_secret"), SECRET);
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    assert.match(
      await (await shown(app, tid.secretState)).getText(),
      /sealed in the store; its key is in the OS keyring/,
    );
  } finally {
    await app.quit();
  }

  app = await ctx.env.open();
  try {
    const item = await listItem(app, "sf-e2e", 10_000);
    assert.match(await item.getText(), /Acme \(end to end\)/);
    // The profile selected when the window closed is selected again.
    assert.match(await (await shown(app, tid.profileView)).getText(), /Acme \(end to end\)/);
    await item.click();
    assert.equal(await (await shown(app, tid.value("client_id"))).getText(), "3MVG9e2eConsumerKey");
    assert.equal(await (await shown(app, tid.value("my_domain"))).getText(), "https://acme.my.salesforce.com");
    await press(app, tid.editProfile);
    const secret = await shown(app, tid.field("client_secret"));
    assert.equal(await secret.getAttribute("value"), "", "the secret is never sent to the window");
    assert.match(await secret.getAttribute("placeholder"), /leave blank to keep/);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!page.includes(SECRET), "the secret appears nowhere in the window");
    assert.equal(await app.findElements(byTestId(tid.formError)).then((e) => e.length), 0);
  } finally {
    await app.quit();
  }

  const shownByCli = JSON.parse(ctx.env.cli(["show", "sf-e2e", "--json"]));
  assert.equal(shownByCli.client_secret, "set");
  assert.equal(shownByCli.label, "Acme (end to end)");
});

test("Export saves the profile through the Save dialog without its secret; Import adds a shared profile", async () => {
  const file = path.join(ctx.env.dataDir, "shared-profiles.json");
  const app = await ctx.env.open();
  try {
    await press(app, tid.openExport);
    assert.match(await (await shown(app, tid.exportJson)).getAttribute("value"), /"sf-e2e"/);
    await press(app, tid.exportSaveAs);
    await answerSaveDialog("Export profiles", file);
    assert.match(
      await (await shown(app, tid.transferMessage)).getText(),
      /Wrote 1 profile\(s\) to .*shared-profiles\.json/,
    );
    const written = readFileSync(file, "utf8");
    assert.ok(written.includes("https://acme.my.salesforce.com"));
    assert.ok(!written.includes(SECRET), "an export never holds a secret");
    await press(app, tid.transferClose);

    // A colleague's copy of the same setup, under another handle.
    const shared = written.replaceAll("sf-e2e", "sf-shared").replace("Acme (end to end)", "Acme (shared)");
    await press(app, tid.openImport);
    await type(app, tid.importJson, shared);
    await press(app, tid.doImport);
    assert.match(await (await shown(app, tid.transferMessage)).getText(), /Imported sf-shared/);
    const item = await listItem(app, "sf-shared", 10_000);
    assert.match(await item.getText(), /Acme \(shared\)/);

    // Importing it again changes nothing and says why.
    await type(app, tid.importJson, shared);
    await press(app, tid.doImport);
    assert.match(await (await shown(app, tid.transferError)).getText(), /sf-shared/);
  } finally {
    await app.quit();
  }
  const imported = JSON.parse(ctx.env.cli(["show", "sf-shared", "--json"]));
  assert.equal(imported.client_secret, "not set", "secrets never travel with an export");
  assert.equal(imported.fields.client_id, "3MVG9e2eConsumerKey");
});

test("a dialog holds the keyboard: Tab stays inside, Escape closes it, focus returns", async () => {
  ctx.env.addProfile("client-credentials", "kb", {
    fields: { token_url: "https://auth.example.com/token", client_id: "c" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    const opener = await shown(app, tid.openExport);
    await opener.click();
    const dialog = await shown(app, tid.transferDialog);
    const inside = () => app.executeScript("return arguments[0].contains(document.activeElement)", dialog);
    assert.equal(await inside(), true, "focus moves into the dialog");
    for (let i = 0; i < 12; i++) {
      await app.actions().sendKeys(Key.TAB).perform();
      assert.equal(await inside(), true, `Tab ${i + 1} stays inside the dialog`);
    }
    await app.actions().sendKeys(Key.ESCAPE).perform();
    await app.wait(async () => (await app.findElements(byTestId(tid.transferDialog))).length === 0, 5_000);
    const focused = await app.executeScript("return document.activeElement?.dataset?.testid ?? ''");
    assert.equal(focused, "open-export", "focus returns to the button that opened it");
  } finally {
    await app.quit();
  }
});

test("a thousand profiles: only those that show are rendered, and scrolling reaches the last", async () => {
  const profiles = Array.from({ length: 1000 }, (_, i) => ({
    handle: `bulk-${String(i).padStart(4, "0")}`,
    label: `Bulk ${String(i).padStart(4, "0")}`,
    template: "client-credentials",
    fields: { token_url: "https://auth.example.com/token", client_id: `c${i}` },
  }));
  const file = path.join(ctx.env.dataDir, "bulk.json");
  writeFileSync(
    file,
    JSON.stringify({ format: "oauthdesk-profiles", version: 1, exported_at: new Date().toISOString(), profiles }),
  );
  ctx.env.cli(["import", file]);
  const app = await ctx.env.open();
  try {
    await shown(app, tid.profileList);
    await app.wait(async () => (await app.findElements(byTestId(tid.profileItem))).length > 0, 10_000);
    const rendered = (await app.findElements(byTestId(tid.profileItem))).length;
    assert.ok(rendered > 5 && rendered < 60, `${rendered} items rendered of 1,000+`);
    await app.executeScript('document.querySelector("nav[aria-label=Profiles]").scrollTop = 1e9');
    const last = await listItem(app, "bulk-0999", 5_000);
    assert.match(await last.getText(), /Bulk 0999/);
    await saveScreenshot(app, "thousand.png");
    assert.ok((await app.findElements(byTestId(tid.profileItem))).length < 60);
  } finally {
    await app.quit();
  }
});
