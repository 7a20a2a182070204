// Try it: from the empty window, the sandbox starts inside the app, its profiles are created
// and connected (the sign-in through the browser's redirect), and a failure mode switched on
// for practice is named by Diagnose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { listItem, press, saveScreenshot, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

const step = (app, handle) => app.findElement(By.css(`[data-testid="${tid.sandboxStep}"][data-handle="${handle}"]`));
const badge = (app, handle) =>
  app.findElement(
    By.css(`[data-testid="${tid.profileItem}"][data-handle="${handle}"] [data-testid="${tid.statusBadge}"]`),
  );

/** Signs in as the browser would: the sandbox sends it straight back to the loopback address. */
async function browse(url) {
  const page = await fetch(url, { redirect: "manual" });
  const back = page.headers.get("location");
  assert.ok(back?.startsWith("http://127.0.0.1:"), `the sandbox redirects to the loopback address: ${back}`);
  await fetch(back);
}

test("Try it creates the sandbox's profiles and connects them; a failure mode is diagnosed", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.trySandbox);
    assert.match(await (await shown(app, tid.sandboxIssuer, 15_000)).getText(), /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const handle of ["sandbox-api", "sandbox-salesforce", "sandbox-keycloak"]) {
      await app.wait(
        async () => /connected · test call HTTP 200/.test(await (await step(app, handle)).getText()),
        15_000,
        `${handle} connects`,
      );
    }
    await browse(await (await shown(app, tid.sandboxSignInUrl, 15_000)).getText());
    await app.wait(
      async () => /signed in/.test(await (await step(app, "sandbox-sign-in")).getText()),
      15_000,
      "the sign-in completes",
    );
    for (const handle of ["sandbox-api", "sandbox-salesforce", "sandbox-keycloak", "sandbox-sign-in"]) {
      await app.wait(
        async () => /connected/.test(await (await badge(app, handle)).getText()),
        10_000,
        `${handle}'s badge`,
      );
    }
    await saveScreenshot(app, "sandbox.png");

    // The sign-in brought an ID token: the token view shows who signed in.
    await (await listItem(app, "sandbox-sign-in")).click();
    const view = await shown(app, tid.tokenView, 10_000);
    await view.findElement(By.css("summary")).click();
    assert.equal(await (await shown(app, tid.idClaim("email"))).getText(), '"demo.user@example.com"');
    assert.match(await (await shown(app, tid.idClaim("exp"))).getText(), /in (59m|1h)/);
    assert.match(await (await shown(app, tid.claim("scope"))).getText(), /openid/);

    // Back to the sandbox, as it runs: nothing is connected again.
    await press(app, tid.openSandbox);
    await shown(app, tid.sandboxIssuer);

    // Practise: Salesforce's answer when the app has no Run As user.
    await (await shown(app, tid.sandboxMode)).findElement(By.css('option[value="salesforce-no-run-as-user"]')).click();
    await press(app, tid.sandboxApply);
    assert.match(await (await shown(app, tid.sandboxModeNote)).getText(), /diagnose sandbox-salesforce/);
    await (
      await app.findElement(By.css(`[data-testid="${tid.profileItem}"][data-handle="sandbox-salesforce"]`))
    ).click();
    await press(app, tid.diagnose);
    const cause = await shown(app, tid.diagnoseCause, 20_000);
    assert.match(await cause.getText(), /no client credentials user enabled/);
    assert.match(await cause.getText(), /Run As/);
  } finally {
    await app.quit();
  }
});
