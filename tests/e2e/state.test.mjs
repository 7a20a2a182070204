// The window tells the stored truth at a glance: a profile opens on its connection's state
// (its token counting down, or its last failure with the cause, the fix and a Diagnose
// button, or what to do when it was never tried); every failure, wherever it is met, is
// explained from the knowledge base; and healthy connections raise no alarm (an old
// diagnosis is marked old, a Salesforce JWT bearer token's unsent expiry is said calmly).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { By } from "selenium-webdriver";
import { listItem, press, saveScreenshot, shown, suite } from "./driver.mjs";
import { startServer, startStandIn } from "../servers/start.mjs";
import { signIn } from "../servers/user.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });

/** The element with `id` inside the element `within`, once shown. */
async function inside(app, within, id, ms = 10_000) {
  const css = `[data-testid="${within}"] [data-testid="${id}"]`;
  return app.wait(async () => (await app.findElements(By.css(css)))[0], ms, `no ${id} in ${within} within ${ms} ms`);
}

/** What the element holds, as the page has it (WebDriver's visible text drops clipped lines). */
const text = (app, el) => app.executeScript("return arguments[0].innerText", el);

/** Runs the command line and ignores its failure (a refused token exits with an error). */
function tryCli(args) {
  try {
    ctx.env.cli(args);
  } catch {
    // the attempt is stored all the same
  }
}

function addProfiles() {
  const fields = { token_url: ctx.idp.url("/token"), client_id: "cc-basic", scopes: "api" };
  ctx.env.addProfile("client-credentials", "refused", { label: "Refused secret", fields, secret: "not-the-secret" });
  ctx.env.addProfile("client-credentials", "healthy", { label: "Healthy", fields, secret: "basic-secret" });
  ctx.env.addProfile("client-credentials", "untried", { label: "Untried", fields, secret: "basic-secret" });
  ctx.env.addProfile("client-credentials", "gone", { label: "Signed out", fields, secret: "basic-secret" });
  // Their last attempts, made where people make them without the window: the command line.
  tryCli(["token", "refused"]);
  ctx.env.cli(["token", "healthy"]);
  ctx.env.cli(["token", "gone"]);
  ctx.env.cli(["revoke", "gone"]);
}

test("Opening a profile shows its stored state at once: a failure explained, a countdown, or what to do", async () => {
  addProfiles();
  const app = await ctx.env.open();
  try {
    // A failing profile: its last failure, explained, with no button pressed.
    await (await listItem(app, "refused")).click();
    const notice = await inside(app, tid.connectPanel, tid.failureNotice);
    const cause = await text(app, await inside(app, tid.connectPanel, tid.failureCause));
    assert.match(cause, /^Cause: \S/);
    assert.doesNotMatch(cause, /invalid_client/, "the cause is the knowledge base's words, not the provider's");
    assert.match(await text(app, await inside(app, tid.connectPanel, tid.failureWords)), /invalid_client/);
    assert.match(await text(app, notice), /Failed while asking the provider for a token/);
    assert.match(await text(app, await inside(app, tid.connectPanel, tid.failureFix)), /client secret/i);
    await inside(app, tid.connectPanel, tid.failureDiagnose);
    await saveScreenshot(app, "state-failing.png");

    // A connected profile: its token and a countdown that moves, with nothing pressed.
    await (await listItem(app, "healthy")).click();
    const expiry = await inside(app, tid.connectPanel, tid.tokenExpiry);
    assert.match(await expiry.getText(), /^in \d+m \d\ds/);
    const first = await expiry.getText();
    await app.wait(async () => (await expiry.getText()) !== first, 5_000, "the countdown moves");
    assert.equal((await app.findElements(By.css(`[data-testid="${tid.failureNotice}"]`))).length, 0);

    // Never tried: said, with what to do.
    await (await listItem(app, "untried")).click();
    assert.match(await (await inside(app, tid.connectPanel, tid.connectionState)).getText(), /Never tried\. Connect/);

    // Signed out on purpose: said, with what to do, and no token shown.
    await (await listItem(app, "gone")).click();
    await app.wait(
      async () => /Signed out: .* Connect/.test(await (await shown(app, tid.connectPanel)).getText()),
      10_000,
      "the card says it was signed out",
    );
    assert.equal((await app.findElements(By.css(`[data-testid="${tid.tokenInfo}"]`))).length, 0);
  } finally {
    await app.quit();
  }
});

test("Every failure shown carries the cause, the fix and a Diagnose button: Connect, and Test all", async () => {
  const app = await ctx.env.open();
  try {
    // Connect in the window: the red box is the explained failure, and Diagnose runs from it.
    await (await listItem(app, "refused")).click();
    await press(app, tid.connect);
    const error = await shown(app, tid.connectError, 20_000);
    await app.wait(
      async () => (await error.findElements(By.css(`[data-testid="${tid.failureCause}"]`))).length > 0,
      10_000,
      "Connect's failure has a cause",
    );
    assert.match(await text(app, error), /Cause: /);
    assert.match(await text(app, error), /The provider said: invalid_client/);
    assert.doesNotMatch(await text(app, error), /Failed at the token stage/, "no stage jargon");
    await (await error.findElement(By.css(`[data-testid="${tid.failureDiagnose}"]`))).click();
    await shown(app, tid.diagnoseCause, 20_000);

    // Test all: the failing row's cause, fix and Diagnose, which opens the profile diagnosed.
    await press(app, tid.testAll);
    await shown(app, tid.testAllSummary, 30_000);
    const row = await app.findElement(By.css(`[data-testid="${tid.testAllResult}"][data-handle="refused"]`));
    assert.match(await text(app, row), /Cause: /);
    assert.ok((await row.findElements(By.css(`[data-testid="${tid.failureFix}"] li`))).length > 0, "a fix");
    await saveScreenshot(app, "state-test-all.png");
    await (await row.findElement(By.css(`[data-testid="${tid.failureDiagnose}"]`))).click();
    await shown(app, tid.profileView);
    await shown(app, tid.diagnoseCause, 20_000);
    // Clicked through, the cause Test all found is on the Connection card too.
    await inside(app, tid.connectPanel, tid.failureCause);
  } finally {
    await app.quit();
  }
});

test("An old diagnosis is marked old once the connection works again", async () => {
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "refused")).click();
    await press(app, tid.diagnose);
    await shown(app, tid.diagnoseCause, 20_000);
    // The secret is put right (on the command line), then Connect works in the window.
    ctx.env.cli(["edit", "refused", "--secret-stdin"], "basic-secret");
    await press(app, tid.connect);
    await app.wait(
      async () => /new from the provider/.test(await (await shown(app, tid.tokenInfo, 20_000)).getText()),
      20_000,
      "Connect works",
    );
    const old = await shown(app, tid.diagnoseOld, 10_000);
    assert.match(await old.getText(), /^From .*, before the last successful connect\.$/);
    assert.equal(
      (await app.findElements(By.css(`[data-testid="${tid.diagnosePanel}"] .diagnosis-old`))).length,
      1,
      "the old result is shown without alarm",
    );
    assert.equal((await app.findElements(By.css(`[data-testid="${tid.failureNotice}"]`))).length, 0);
  } finally {
    await app.quit();
  }
});

test("Test all's rows are stamped and a row is marked old once its profile has a newer attempt", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.testAll);
    await shown(app, tid.testAllSummary, 30_000);
    const panel = await shown(app, tid.testAllPanel);
    assert.match(await text(app, panel), /Tested at \S/);
    const row = async (h) => app.findElement(By.css(`[data-testid="${tid.testAllResult}"][data-handle="${h}"]`));
    assert.equal(
      (await panel.findElements(By.css(`[data-testid="${tid.testAllOld}"]`))).length,
      0,
      "nothing is old yet",
    );
    // Another process gets a new token for one profile while the results are shown.
    ctx.env.cli(["token", "healthy", "--force"]);
    await app.wait(
      async () => (await (await row("healthy")).getAttribute("data-old")) === "true",
      15_000,
      "the row of the profile that connected since is marked old",
    );
    assert.match(await text(app, await row("healthy")), /From .*, before the last successful connect\./);
    assert.equal(await (await row("untried")).getAttribute("data-old"), null, "a row nothing happened to since stays");
  } finally {
    await app.quit();
  }
});

test("A healthy Salesforce JWT bearer connection says how its expiry is known, without alarm", async () => {
  ctx.env.addProfile("salesforce-jwt-bearer", "sf-jwt", {
    fields: { my_domain: "http://127.0.0.1:1", client_id: "sf-good", username: "integration@acme.example" },
  });
  ctx.env.cli(["key", "generate", "sf-jwt"]);
  const certs = path.join(ctx.env.dataDir, "uploaded.pem");
  writeFileSync(certs, ctx.env.cli(["key", "export-cert", "sf-jwt"]));
  const sf = await startStandIn({ SALESFORCE_CERTS: certs });
  try {
    ctx.env.cli(["edit", "sf-jwt", "--set", `my_domain=${sf.url("")}`, "--confirm-origins"]);
    const app = await ctx.env.open();
    try {
      await (await listItem(app, "sf-jwt")).click();
      await press(app, tid.connect);
      assert.equal(await (await shown(app, tid.testStatus, 20_000)).getText(), "HTTP 200");
      const expiry = await shown(app, tid.tokenExpiry);
      const words = await expiry.getText();
      assert.match(words, /Salesforce does not send when its tokens expire/);
      assert.doesNotMatch(words, /invalid_client|introspection failed/);
      assert.doesNotMatch((await expiry.getAttribute("class")) ?? "", /warn|error/, "not in an alarm colour");
      const panel = await shown(app, tid.connectPanel);
      assert.equal((await panel.findElements(By.css(".error, .warn"))).length, 0, "nothing red");
      await saveScreenshot(app, "state-salesforce-jwt.png");
    } finally {
      await app.quit();
    }
  } finally {
    await sf.stop();
  }
});

test("offline_access is not 'not granted' beside a refresh token that was issued", async () => {
  ctx.env.addProfile("custom-oauth2", "signed-in", {
    fields: {
      authorize_url: ctx.idp.url("/auth"),
      token_url: ctx.idp.url("/token"),
      client_id: "native-public",
      scopes: "openid offline_access api",
    },
  });
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "signed-in")).click();
    await press(app, tid.authorize);
    assert.equal((await signIn(await (await shown(app, tid.authorizeUrl, 15_000)).getText())).status, 200);
    assert.equal(await (await shown(app, tid.tokenRefresh, 20_000)).getText(), "issued");
    // The provider's answer leaves offline_access out of its scope; the refresh token is it.
    assert.equal(await (await shown(app, tid.tokenScope)).getText(), "openid api");
    await (await (await shown(app, tid.tokenView)).findElement(By.css("summary"))).click();
    assert.equal(await (await shown(app, tid.scopeGranted)).getText(), "openid api");
    assert.equal((await app.findElements(By.css(`[data-testid="${tid.scopeMissing}"]`))).length, 0, "no false alarm");
  } finally {
    await app.quit();
  }
});

test("A fresh five-minute token is not 'expiring soon' at its first seconds", async () => {
  // A provider whose client-credentials tokens live five minutes.
  const short = await startServer("oidc.mjs", { CC_TTL: "300" });
  try {
    ctx.env.addProfile("client-credentials", "short-lived", {
      fields: { token_url: short.url("/token"), client_id: "cc-basic", scopes: "api" },
      secret: "basic-secret",
    });
    ctx.env.cli(["token", "short-lived"]);
    const app = await ctx.env.open();
    try {
      const badge = await app.wait(
        async () =>
          (
            await app.findElements(
              By.css(
                `[data-testid="${tid.profileItem}"][data-handle="short-lived"] [data-testid="${tid.statusBadge}"]`,
              ),
            )
          )[0],
        10_000,
      );
      await app.wait(async () => /connected/.test(await badge.getText()), 10_000, "connected");
      assert.match(
        await badge.getText(),
        /^connected · 4m \d\ds left$/,
        "no 'expiring soon' with four minutes of five left",
      );
      await (await listItem(app, "short-lived")).click();
      const expiry = await inside(app, tid.connectPanel, tid.tokenExpiry);
      assert.doesNotMatch((await expiry.getAttribute("class")) ?? "", /warn/);
    } finally {
      await app.quit();
    }
  } finally {
    await short.stop();
  }
});
