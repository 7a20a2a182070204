// Connect in the window against a real OAuth server (npm's oidc-provider on 127.0.0.1): the
// window shows the token's expiry counting down and the test call's status.
import { spawn } from "node:child_process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { answerQuestion, listItem, press, saveScreenshot, shown, suite } from "./driver.mjs";
import { startServer, startStandIn } from "../servers/start.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });

test("Connect shows the expiry countdown, the test call's status and a connected badge", async () => {
  ctx.env.addProfile("client-credentials", "idp-api", {
    label: "Local IdP API",
    fields: {
      token_url: ctx.idp.url("/token"),
      client_id: "cc-basic",
      scopes: "api",
      test_url: ctx.idp.url("/.well-known/openid-configuration"),
    },
    secret: "basic-secret",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "idp-api", 10_000);
    assert.match(await item.getText(), /never tried/);
    await item.click();
    await press(app, tid.connect);
    const expiry = await shown(app, tid.tokenExpiry, 20_000);
    assert.match(await expiry.getText(), /^in (9m|10m) \d\ds/);
    const first = await expiry.getText();
    await app.wait(async () => (await expiry.getText()) !== first, 5_000, "the countdown moves");
    assert.equal(await (await shown(app, tid.tokenType)).getText(), "Bearer");
    assert.equal(await (await shown(app, tid.tokenScope)).getText(), "api");
    assert.equal(await (await shown(app, tid.testStatus)).getText(), "HTTP 200");
    assert.match(await (await shown(app, tid.testBody)).getText(), /"issuer"/);
    const badge = await app.findElement(
      By.css(`[data-testid="${tid.profileItem}"][data-handle="idp-api"] [data-testid="${tid.statusBadge}"]`),
    );
    await app.wait(async () => /connected/.test(await badge.getText()), 5_000, "the badge turns connected");
    // The badge counts down every second, as the panel does.
    const b1 = await badge.getText();
    await app.wait(async () => (await badge.getText()) !== b1, 5_000, "the badge's countdown moves every second");
    // A second test call: the history draws the test call's latency.
    await press(app, tid.connect);
    await app.wait(async () => (await app.findElements(By.css("details summary"))).length > 0, 5_000);
    const history = await app.findElement(By.xpath("//summary[starts-with(normalize-space(.), 'History')]"));
    await app.wait(async () => /History \((3|4)\)/.test(await history.getText()), 10_000, "three or more attempts");
    await history.click();
    assert.match(await (await shown(app, tid.latencyChart)).getText(), /Test call latency/);
    await saveScreenshot(app, "connect.png");
  } finally {
    await app.quit();
  }
});

test("What the command line does to the store shows in the open window within seconds", async () => {
  ctx.env.addProfile("client-credentials", "from-cli", {
    label: "Made on the command line",
    fields: { token_url: ctx.idp.url("/token"), client_id: "cc-basic", scopes: "api" },
    secret: "basic-secret",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "from-cli", 10_000);
    await item.click();
    await shown(app, tid.profileView);
    const badge = await app.findElement(
      By.css(`[data-testid="${tid.profileItem}"][data-handle="from-cli"] [data-testid="${tid.statusBadge}"]`),
    );
    assert.match(await badge.getText(), /never tried/);

    // A token obtained on the command line: the badge and the open panel both show it.
    ctx.env.cli(["token", "from-cli"]);
    await app.wait(async () => /connected/.test(await badge.getText()), 5_000, "the badge follows the command line");
    // The open panel's history holds the command line's attempt.
    await app.wait(
      async () => {
        const summaries = await app.findElements(By.xpath("//summary[starts-with(normalize-space(.), 'History')]"));
        return summaries.length > 0 && /History \([1-9]/.test(await summaries[0].getText());
      },
      5_000,
      "the panel's history shows the command line's attempt",
    );

    // A label changed and a profile added there show here.
    ctx.env.cli(["edit", "from-cli", "--label", "Renamed on the command line"]);
    await app.wait(
      async () => /Renamed on the command line/.test(await (await shown(app, tid.profileView)).getText()),
      5_000,
      "the open panel shows the new label",
    );
    ctx.env.addProfile("client-credentials", "also-from-cli", {
      fields: { token_url: ctx.idp.url("/token"), client_id: "cc-basic" },
      secret: "basic-secret",
    });
    await listItem(app, "also-from-cli", 5_000);

    // Removed there: gone from the list, and its panel closes.
    ctx.env.cli(["remove", "from-cli"]);
    await app.wait(
      async () =>
        (await app.findElements(By.css(`[data-testid="${tid.profileItem}"][data-handle="from-cli"]`))).length === 0,
      5_000,
      "the removed profile leaves the list",
    );
    await app.wait(
      async () => (await app.findElements(By.css(`[data-testid="${tid.profileView}"]`))).length === 0,
      5_000,
      "its panel closes",
    );
  } finally {
    await app.quit();
  }
});

test("The token view decodes a JWT's claims and shows the token only on request", async () => {
  const standin = await startStandIn();
  ctx.env.addProfile("client-credentials", "jwt-api", {
    fields: { token_url: standin.url("/jwt/token"), client_id: "c", scopes: "api" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "jwt-api", 10_000);
    await item.click();
    await press(app, tid.connect);
    await shown(app, tid.tokenExpiry, 15_000);
    const view = await shown(app, tid.tokenView);
    await view.findElement(By.css("summary")).click();
    assert.match(await (await shown(app, tid.claim("sub"))).getText(), /"machine"/);
    assert.match(await (await shown(app, tid.claim("exp"))).getText(), /in 1h 29m|in 1h 30m/);
    assert.match(await (await shown(app, tid.jwtHeader)).getText(), /"alg"/);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(page), "the token is not on screen until asked for");
    await press(app, tid.tokenReveal);
    // The token comes only once the person says yes in the native question.
    await answerQuestion("Show the access token", { yes: true, label: "Show the token" });
    assert.match(await (await shown(app, tid.tokenRevealed)).getAttribute("value"), /^eyJ[\w-]+\.eyJ/);
    await saveScreenshot(app, "token-view.png");
  } finally {
    await app.quit();
    await standin.stop();
  }
});

/** Calls a window command from a script in the page, as any script there could. */
function invoke(app, command, args) {
  return app.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(${JSON.stringify(command)}, ${JSON.stringify(args)})
       .then((value) => done({ value }), (error) => done({ error: JSON.stringify(error) }));`,
  );
}

test("A script in the page gets no token and confirms no endpoint without the person", async () => {
  const standin = await startStandIn();
  const elsewhere = await startStandIn();
  ctx.env.addProfile("client-credentials", "guarded", {
    fields: { token_url: standin.url("/jwt/token"), client_id: "c", test_url: standin.url("/session/me") },
    secret: "guarded-client-secret-0123",
  });
  const app = await ctx.env.open();
  try {
    await app.manage().setTimeouts({ implicit: 0, script: 20_000 });
    await (await listItem(app, "guarded", 10_000)).click();
    await press(app, tid.connect);
    await shown(app, tid.tokenExpiry, 15_000);
    // The token: the page's call waits for the person, who says no; the page gets nothing.
    const asked = invoke(app, "profile_token_reveal", { handle: "guarded" });
    await answerQuestion("Show the access token", { yes: false });
    assert.deepEqual(await asked, { value: null });
    // Every other command's result is redacted: no spelling of the token reaches the page.
    const token = JSON.parse(ctx.env.cli(["token", "guarded", "--json"])).access_token;
    const results = JSON.stringify([
      await invoke(app, "profile_get", { handle: "guarded" }),
      await invoke(app, "profile_token_view", { handle: "guarded" }),
      await invoke(app, "profile_history", { handle: "guarded" }),
      await invoke(app, "profile_connect", { handle: "guarded", force: false }),
    ]);
    assert.ok(token.length > 20 && !results.includes(token) && !results.includes(token.slice(-24)), results);
    // An endpoint moved by the page, with the old "confirm" flag: still unconfirmed.
    const moved = elsewhere.url("/jwt/token");
    await invoke(app, "profile_update", {
      handle: "guarded",
      changes: { fields: { token_url: moved }, confirm_origins: true },
    });
    const unconfirmed = () => JSON.parse(ctx.env.cli(["show", "guarded", "--json"])).unconfirmed.length;
    assert.ok(unconfirmed() > 0, "the page's flag confirms nothing");
    // The page asks for the confirmation: the person cancels, and nothing is confirmed.
    const cancelled = invoke(app, "profile_confirm_origins", { handle: "guarded" });
    await answerQuestion("Confirm where credentials go", { yes: false });
    await cancelled;
    assert.ok(unconfirmed() > 0, "cancelled: still unconfirmed");
    const refused = await invoke(app, "profile_connect", { handle: "guarded", force: true });
    assert.match(refused.error ?? "", /not_ready|confirm/, JSON.stringify(refused));
    assert.equal(
      JSON.parse(await (await fetch(elsewhere.url("/__stats"))).text())["/jwt/token"] ?? 0,
      0,
      "nothing reached the new origin",
    );
    // The person confirms through the profile's button (the page read again shows it).
    await app.navigate().refresh();
    await (await listItem(app, "guarded", 10_000)).click();
    await press(app, tid.confirmOrigins, 10_000);
    await answerQuestion("Confirm where credentials go", { yes: true, label: "Confirm" });
    for (let i = 0; i < 50 && unconfirmed() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(unconfirmed(), 0, "confirmed by the person");
  } finally {
    await app.quit();
    await standin.stop();
    await elsewhere.stop();
  }
});

/** Seconds in "1h 02m 05s", "4m 09s" or "12s" (the first such duration in a text). */
function seconds(text) {
  const m = text.match(/(?:(\d+)h )?(?:(\d+)m )?(\d+)s/);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]) : NaN;
}

test("After a background renewal, the panel and the badge show the same new expiry", async () => {
  // Tokens of 85 s: the window's renewal (every 20 s, 60 s ahead) replaces one within 20 s.
  const idp = await startServer("oidc.mjs", { CC_TTL: "85" });
  ctx.env.addProfile("client-credentials", "short", {
    fields: { token_url: idp.url("/token"), client_id: "cc-basic", scopes: "api" },
    secret: "basic-secret",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "short", 10_000);
    await item.click();
    await press(app, tid.connect);
    const expiry = await shown(app, tid.tokenExpiry, 15_000);
    const badge = await app.findElement(
      By.css(`[data-testid="${tid.profileItem}"][data-handle="short"] [data-testid="${tid.statusBadge}"]`),
    );
    await app.wait(async () => /connected/.test(await badge.getText()), 5_000);
    // Renewed: the time left jumps back up in the badge (it only counts down otherwise)…
    let before = seconds(await badge.getText());
    await app.wait(
      async () => {
        const now = seconds(await badge.getText());
        if (now > before + 5) return true;
        before = now;
        return false;
      },
      40_000,
      "a background renewal within 40 s",
    );
    // …and in the panel, which reads the same state.
    const inPanel = seconds(await expiry.getText());
    const inBadge = seconds(await badge.getText());
    assert.ok(Math.abs(inPanel - inBadge) <= 2, `panel ${inPanel}s, badge ${inBadge}s`);
    assert.ok(inPanel > before, "the panel shows the new token's expiry, not the old one");
    assert.doesNotMatch(await expiry.getText(), /expired/);

    // The provider goes away: the next renewal fails, and the desktop is told once (a
    // notification on the session bus, seen by a monitor of the bus).
    const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications',member='Notify'"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let seen = "";
    monitor.stdout.on("data", (d) => (seen += d));
    try {
      // Listening once it has become a monitor (the bus then takes its name: NameLost).
      await app.wait(async () => seen.includes("NameLost"), 5_000, "dbus-monitor listens");
      await idp.stop();
      await app.wait(async () => seen.includes("could not be renewed"), 45_000, "a notification within 45 s");
      assert.match(seen, /short: the token could not be renewed/);
      assert.ok(!seen.includes("basic-secret"), "no secret in the notification");
    } finally {
      monitor.kill();
    }
  } finally {
    await app.quit();
    await idp.stop();
  }
});
