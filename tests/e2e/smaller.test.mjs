// What a person reads must be true: "Sign in" (not "Re-authorize") on a signed-out profile;
// "new from the provider" only when something new came; the trace wraps inside the panel;
// a device code's expiry counts down from the provider's expires_in, and its QR code has a
// text alternative.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { By } from "selenium-webdriver";
import { listItem, press, shown, suite } from "./driver.mjs";
import { signIn } from "../servers/user.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });

// A token endpoint that keeps handing out the same access token until it expires.
let same;
before(async () => {
  same = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: "the-same-token-every-time", token_type: "Bearer", expires_in: 3600 }));
    });
  });
  await new Promise((r) => same.listen(0, "127.0.0.1", r));
});
after(() => same?.close());
const sameUrl = (p) => `http://127.0.0.1:${same.address().port}${p}`;

test("A new token that is the same token is not called new", async () => {
  ctx.env.addProfile("client-credentials", "same-token", {
    fields: { token_url: sameUrl("/oauth2/token"), client_id: "c" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "same-token")).click();
    await press(app, tid.connect);
    const info = await shown(app, tid.tokenInfo, 20_000);
    assert.match(await info.getText(), /new from the provider/);
    await press(app, tid.connectForce);
    await app.wait(
      async () => /same token/.test(await (await shown(app, tid.tokenInfo)).getText()),
      10_000,
      "asked again, the provider sent the same token: said so",
    );
    assert.doesNotMatch(await (await shown(app, tid.tokenInfo)).getText(), /new from the provider/);
  } finally {
    await app.quit();
  }
});

test("The diagnosis's HTTP trace wraps inside its panel", async () => {
  const long = "/oauth2/" + "very-long-path-segment-".repeat(20) + "token";
  ctx.env.addProfile("client-credentials", "long-url", {
    fields: { token_url: sameUrl(long), client_id: "c" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "long-url")).click();
    await press(app, tid.diagnose);
    const panel = await shown(app, tid.diagnosePanel, 20_000);
    await app.wait(async () => (await panel.findElements(By.css("details summary"))).length > 0, 20_000);
    for (const s of await panel.findElements(By.css("details summary"))) {
      if (/HTTP trace/.test(await s.getText())) await s.click();
    }
    const trace = await shown(app, tid.diagnoseTrace);
    assert.equal(await trace.getCssValue("white-space"), "pre-wrap");
    const [scroll, client] = await app.executeScript(
      "return [arguments[0].scrollWidth, arguments[0].clientWidth]",
      trace,
    );
    assert.ok(scroll <= client, `the trace fits its width (${scroll} > ${client})`);
  } finally {
    await app.quit();
  }
});

test("A signed-out profile offers Sign in, not Re-authorize", async () => {
  ctx.env.addProfile("custom-oauth2", "idp-out", {
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
    await (await listItem(app, "idp-out")).click();
    const button = await shown(app, tid.authorize);
    assert.equal(await button.getText(), "Authorize");
    await button.click();
    await signIn(await (await shown(app, tid.authorizeUrl, 15_000)).getText());
    await shown(app, tid.tokenExpiry, 20_000);
    await app.wait(async () => (await (await shown(app, tid.authorize)).getText()) === "Re-authorize", 10_000);
    await press(app, tid.revoke);
    await press(app, tid.confirmYes, 5_000);
    await shown(app, tid.connectNotice, 10_000);
    await app.wait(
      async () => (await (await shown(app, tid.authorize)).getText()) === "Sign in",
      10_000,
      "signed out: Sign in",
    );
  } finally {
    await app.quit();
  }
});

test("A device code's expiry counts down from the provider's expires_in; its QR code has a text alternative", async () => {
  ctx.env.addProfile("device-code", "tv-count", {
    fields: {
      device_authorization_url: ctx.idp.url("/device/auth"),
      token_url: ctx.idp.url("/token"),
      client_id: "device-public",
      scopes: "openid offline_access api",
    },
  });
  const app = await ctx.env.open();
  try {
    await (await listItem(app, "tv-count")).click();
    await press(app, tid.authorize);
    const url = await (await shown(app, tid.authorizeUrl, 15_000)).getText();
    const qr = await shown(app, tid.deviceQr);
    assert.equal(await qr.getAttribute("role"), "img");
    assert.match(await qr.getAttribute("aria-label"), new RegExp(url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")));
    const expiry = await shown(app, tid.deviceExpiry);
    const first = await expiry.getText();
    assert.match(first, /^The code expires in (9m|10m) \d\ds\.$/);
    await app.wait(async () => (await expiry.getText()) !== first, 5_000, "the expiry counts down");
    await press(app, tid.authorizeCancel);
  } finally {
    await app.quit();
  }
});
