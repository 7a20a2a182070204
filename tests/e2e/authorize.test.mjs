// Authorize in the window against a real OAuth server (npm's oidc-provider): the window
// shows the sign-in URL while it waits, a helper signs in as the user would in a browser,
// and the window shows the expiry countdown and that a refresh token came. Also the form's
// Discover button, and Cancel while waiting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { press, saveScreenshot, shown, suite, type } from "./driver.mjs";
import { approveDevice, signIn } from "../servers/user.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });

async function openProfile(app, handle) {
  const item = await app.wait(
    until.elementLocated(By.css(`[data-testid="${tid.profileItem}"][data-handle="${handle}"]`)),
    10_000,
  );
  await item.click();
}

test("Authorize from the window: the helper signs in and the window shows the countdown", async () => {
  ctx.env.addProfile("custom-oauth2", "idp-user", {
    label: "Local IdP (user)",
    fields: {
      authorize_url: ctx.idp.url("/auth"),
      token_url: ctx.idp.url("/token"),
      revoke_url: ctx.idp.url("/token/revocation"),
      client_id: "native-public",
      scopes: "openid offline_access api",
    },
  });
  const app = await ctx.env.open();
  try {
    await openProfile(app, "idp-user");
    await press(app, tid.authorize);
    const url = await (await shown(app, tid.authorizeUrl, 15_000)).getText();
    assert.match(url, /code_challenge_method=S256/);
    const delivered = await signIn(url);
    assert.equal(delivered.status, 200, "the listener answered the browser");
    const expiry = await shown(app, tid.tokenExpiry, 20_000);
    assert.match(await expiry.getText(), /^in (59m|1h 00m)/);
    assert.equal(await (await shown(app, tid.tokenRefresh)).getText(), "issued");
    assert.equal(await (await shown(app, tid.tokenScope)).getText(), "openid api");
    await saveScreenshot(app, "authorize.png");

    // Waiting can be cancelled.
    await press(app, tid.authorize);
    await shown(app, tid.authorizeUrl, 15_000);
    await press(app, tid.authorizeCancel);
    // A cancel is no failure: said plainly, and the badge does not turn "failing".
    const notice = await shown(app, tid.connectNotice, 10_000);
    assert.match(await notice.getText(), /Cancelled/);
    assert.equal((await app.findElements(By.css(`[data-testid="${tid.connectError}"]`))).length, 0);
    const badge = await app.findElement(By.css(`[data-handle="idp-user"] [data-testid="${tid.statusBadge}"]`));
    assert.doesNotMatch(await badge.getText(), /failing/);
  } finally {
    await app.quit();
  }
});

test("Discover fills the endpoint URLs of a new custom profile", async () => {
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    await (await shown(app, tid.field("template"))).findElement(By.css('option[value="custom-oauth2"]')).click();
    await type(app, tid.field("issuer"), ctx.idp.url());
    await press(app, tid.discover);
    await shown(app, tid.discovered, 10_000);
    assert.equal(await (await shown(app, tid.field("authorize_url"))).getAttribute("value"), ctx.idp.url("/auth"));
    assert.equal(await (await shown(app, tid.field("token_url"))).getAttribute("value"), ctx.idp.url("/token"));
    assert.equal(
      await (await shown(app, tid.field("revoke_url"))).getAttribute("value"),
      ctx.idp.url("/token/revocation"),
    );
  } finally {
    await app.quit();
  }
});

test("A device sign-in shows the code, its address and a QR code, and finishes when approved", async () => {
  ctx.env.addProfile("device-code", "tv", {
    fields: {
      device_authorization_url: ctx.idp.url("/device/auth"),
      token_url: ctx.idp.url("/token"),
      client_id: "device-public",
      scopes: "openid offline_access api",
    },
  });
  const app = await ctx.env.open();
  try {
    await openProfile(app, "tv");
    await press(app, tid.authorize);
    const code = await (await shown(app, tid.deviceUserCode, 15_000)).getText();
    const url = await (await shown(app, tid.authorizeUrl)).getText();
    assert.match(code, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(url, ctx.idp.url("/device"));
    assert.ok(
      (await (await shown(app, tid.deviceQr)).getAttribute("innerHTML")).includes("<svg"),
      "a QR code is drawn",
    );
    await saveScreenshot(app, "device.png");
    const done = await approveDevice(`${url}?user_code=${encodeURIComponent(code)}`);
    assert.equal(done.status, 200);
    await shown(app, tid.tokenExpiry, 30_000);
    assert.equal(await (await shown(app, tid.tokenRefresh)).getText(), "issued");
  } finally {
    await app.quit();
  }
});
