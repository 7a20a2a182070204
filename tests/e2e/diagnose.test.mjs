// Diagnose in the window: a profile with a wrong secret against a real OAuth server
// (npm's oidc-provider) shows the failing stage, the cause and the fix steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { By, Key } from "selenium-webdriver";
import { listItem, press, saveScreenshot, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });

test("Diagnose names the cause and the fix of a wrong secret", async () => {
  ctx.env.addProfile("client-credentials", "wrong-secret", {
    fields: { token_url: ctx.idp.url("/token"), client_id: "cc-basic" },
    secret: "not-the-secret",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "wrong-secret", 10_000);
    await item.click();
    await press(app, tid.diagnose);
    const cause = await shown(app, tid.diagnoseCause, 20_000);
    assert.match(await cause.getText(), /Client authentication failed/);
    assert.match(await cause.getText(), /invalid_client/);
    assert.match(await (await shown(app, tid.adviceFix)).getText(), /Copy the client ID and client secret again/);
    // The explanation cites the specification it comes from.
    assert.equal(
      await (await shown(app, tid.learnMore)).getAttribute("title"),
      "https://www.rfc-editor.org/rfc/rfc6749#section-5.2",
    );
    const stage = await shown(app, tid.stage("token_endpoint"));
    assert.match(await stage.getText(), /^✗/);
    assert.match(await (await shown(app, tid.stage("network"))).getText(), /^✓/);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!page.includes("not-the-secret"), "the secret appears nowhere in the window");
    await saveScreenshot(app, "diagnose.png");
    // The trace, drawn from the diagnosis's typed entries, reads as the support report's
    // (a diagnosis of its own: only the times and the server's dates may differ).
    await (await app.findElement(By.css(`[data-testid="${tid.diagnosePanel}"] details > summary`))).click();
    const trace = await (await shown(app, tid.diagnoseTrace)).getText();
    const reportFile = path.join(ctx.env.dataDir, "report.md");
    try {
      ctx.env.cli(["diagnose", "wrong-secret", "--report", reportFile]);
    } catch {
      // a failing diagnosis exits with an error; its report is written all the same
    }
    const report = readFileSync(reportFile, "utf8");
    const same = (s) =>
      s
        .replace(/\(\d+ ms\)/g, "(… ms)")
        .replace(/^date: .*$/gim, "date: …")
        .trim();
    assert.ok(trace.includes("HTTP 401"), trace);
    assert.equal(same(trace), same(report.slice(report.indexOf("## HTTP trace"))));
  } finally {
    await app.quit();
  }
});

test("Paste an error explains a provider's answer without a profile", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.openExplain);
    const pasted =
      "2026-11-26T09:12:03Z sync-job OAUTH ERROR: HTTP 401 " +
      '{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app \'00001111-aaaa-2222-bbbb-3333cccc4444\'.","error_codes":[7000215]}';
    await type(app, tid.explainText, pasted);
    await press(app, tid.explain);
    const result = await shown(app, tid.explainResult, 10_000);
    assert.equal(await (await shown(app, tid.explainProviderFound)).getText(), "Microsoft Entra ID");
    assert.match(await result.getText(), /AADSTS7000215/);
    assert.match(await result.getText(), /secret/i);
    assert.match(await (await shown(app, tid.learnMore)).getAttribute("title"), /^https:\/\/learn\.microsoft\.com\//);
    await saveScreenshot(app, "explain.png");
  } finally {
    await app.quit();
  }
});

test("A bare OAUTH ERROR gets the product's usual causes and leads to a diagnosis", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.openExplain);
    await type(app, tid.explainText, "2026-11-26T09:12:03Z Salesforce sync: OAUTH ERROR");
    await press(app, tid.explain);
    const result = await shown(app, tid.explainResult, 10_000);
    assert.equal(await (await shown(app, tid.explainProviderFound)).getText(), "Salesforce");
    assert.match(await result.getText(), /My Domain/);
    assert.match(await result.getText(), /Run As/);
    // The offer to diagnose: choosing a stored profile opens it.
    const offer = await shown(app, tid.explainDiagnose);
    assert.match(await offer.getText(), /diagnose|profile/i);
  } finally {
    await app.quit();
  }
});

test("Test all checks every profile and shows the failing one's cause", async () => {
  ctx.env.addProfile("client-credentials", "all-good", {
    fields: { token_url: ctx.idp.url("/token"), client_id: "cc-basic", scopes: "api" },
    secret: "basic-secret",
  });
  const app = await ctx.env.open();
  try {
    await press(app, tid.testAll);
    const summary = await shown(app, tid.testAllSummary, 30_000);
    // "wrong-secret" from the first test fails; "all-good" passes.
    assert.match(await summary.getText(), /1 ok, 1 failing/);
    const bad = await app.findElement(By.css(`[data-testid="${tid.testAllResult}"][data-handle="wrong-secret"]`));
    assert.match(await bad.getText(), /✗/);
    assert.match(await bad.getText(), /Client authentication failed/);
    await saveScreenshot(app, "test-all.png");
  } finally {
    await app.quit();
  }
});

test("The list is searched, filtered by status, and reached from the keyboard", async () => {
  const app = await ctx.env.open();
  try {
    const handles = async () =>
      Promise.all(
        (await app.findElements(By.css(`[data-testid="${tid.profileItem}"]`))).map((e) =>
          e.getAttribute("data-handle"),
        ),
      );
    await app.wait(async () => (await handles()).length === 2, 10_000);
    await app.actions().sendKeys("/").perform();
    assert.equal(await app.executeScript("return document.activeElement?.dataset?.testid"), "search");
    await app.actions().sendKeys("good").perform();
    await app.wait(async () => (await handles()).join() === "all-good", 5_000);
    await (await shown(app, tid.search)).sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
    await (await shown(app, tid.statusFilter)).findElement(By.css('option[value="failing"]')).click();
    await app.wait(async () => (await handles()).join() === "wrong-secret", 5_000);
    // A failing profile says why in the list itself.
    // (Read as the page holds it: WebDriver's visible-text rules drop text in a clipped line.)
    const cause = await shown(app, tid.itemCause);
    assert.match(await app.executeScript("return arguments[0].innerText", cause), /client authentication failed/);
    // With a filter, Test all tests what the list shows.
    assert.equal(await (await shown(app, tid.testAll)).getText(), "Test 1 shown");
    await press(app, tid.testAll);
    assert.match(await (await shown(app, tid.testAllSummary, 30_000)).getText(), /^0 ok, 1 failing/);
    await (await shown(app, tid.statusFilter)).findElement(By.css('option[value="all"]')).click();
    // By template: a profile of another template is added from the command line.
    ctx.env.addProfile("custom-oauth2", "a-sign-in", {
      fields: { authorize_url: ctx.idp.url("/auth"), token_url: ctx.idp.url("/token"), client_id: "web" },
    });
    await app.navigate().refresh();
    await app.wait(async () => (await handles()).length === 3, 10_000, "the third profile is listed");
    await (await shown(app, tid.templateFilter)).findElement(By.css('option[value="custom-oauth2"]')).click();
    await app.wait(async () => (await handles()).join() === "a-sign-in", 5_000, "only the sign-in profile");
    await (await shown(app, tid.templateFilter)).findElement(By.css('option[value="all"]')).click();
    await saveScreenshot(app, "list-tools.png");
    // Compact density: one line per profile, and the choice is kept.
    const item = await shown(app, tid.profileItem);
    const tall = (await item.getRect()).height;
    await press(app, tid.compact);
    await app.wait(
      async () => (await (await shown(app, tid.profileItem)).getRect()).height < tall * 0.7,
      5_000,
      "compact rows are lower",
    );
    await app.navigate().refresh();
    assert.equal(await (await shown(app, tid.compact)).getAttribute("aria-pressed"), "true", "compact is remembered");
    assert.ok((await (await shown(app, tid.profileItem)).getRect()).height < tall * 0.7);
    // Back to the usual density: the choice outlives this window (and this test).
    await press(app, tid.compact);
    assert.equal(await (await shown(app, tid.compact)).getAttribute("aria-pressed"), "false");
    // The list is one Tab stop; the arrow keys, Home and End move through it.
    const focused = () => app.executeScript("return document.activeElement?.dataset?.handle ?? null");
    const items = await app.findElements(By.css(`[data-testid="${tid.profileItem}"]`));
    const tabbable = [];
    for (const i of items) if ((await i.getAttribute("tabindex")) === "0") tabbable.push(i);
    assert.equal(tabbable.length, 1, "one item takes the Tab stop");
    await (await app.findElement(By.css(`[data-testid="${tid.profileItem}"][data-handle="a-sign-in"]`))).click();
    await app.actions().sendKeys(Key.ARROW_DOWN).perform();
    await app.wait(async () => (await focused()) === "all-good", 5_000, "ArrowDown moves to the next profile");
    await app.actions().sendKeys(Key.END).perform();
    await app.wait(async () => (await focused()) === "wrong-secret", 5_000, "End moves to the last");
    assert.match(await (await shown(app, tid.profileView)).getText(), /wrong-secret/);
    await app.actions().sendKeys(Key.HOME).perform();
    await app.wait(async () => (await focused()) === "a-sign-in", 5_000, "Home moves to the first");
    await app.actions().keyDown(Key.CONTROL).sendKeys("n").keyUp(Key.CONTROL).perform();
    await shown(app, tid.profileForm);
  } finally {
    await app.quit();
  }
});
