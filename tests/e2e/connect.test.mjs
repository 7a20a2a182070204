// Connect in the window against a real OAuth server (npm's oidc-provider on 127.0.0.1): the
// window shows the token's expiry counting down and the test call's status.
import { spawn } from "node:child_process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { listItem, saveScreenshot, shown, suite } from "./driver.mjs";
import { startServer } from "../servers/start.mjs";

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
    await (await shown(app, "connect")).click();
    const expiry = await shown(app, "token-expiry", 20_000);
    assert.match(await expiry.getText(), /^in (9m|10m) \d\ds/);
    const first = await expiry.getText();
    await app.sleep(1500);
    assert.notEqual(await expiry.getText(), first, "the countdown moves");
    assert.equal(await (await shown(app, "token-type")).getText(), "Bearer");
    assert.equal(await (await shown(app, "token-scope")).getText(), "api");
    assert.equal(await (await shown(app, "test-status")).getText(), "HTTP 200");
    assert.match(await (await shown(app, "test-body")).getText(), /"issuer"/);
    const badge = await app.findElement(
      By.css('[data-testid="profile-item"][data-handle="idp-api"] [data-testid="status-badge"]'),
    );
    await app.wait(async () => /connected/.test(await badge.getText()), 5_000, "the badge turns connected");
    // The badge counts down every second, as the panel does.
    const b1 = await badge.getText();
    await app.sleep(1500);
    assert.notEqual(await badge.getText(), b1, "the badge's countdown moves every second");
    // A second test call: the history draws the test call's latency.
    await (await shown(app, "connect")).click();
    await app.wait(async () => (await app.findElements(By.css("details summary"))).length > 0, 5_000);
    const history = await app.findElement(By.xpath("//summary[starts-with(normalize-space(.), 'History')]"));
    await app.wait(async () => /History \((3|4)\)/.test(await history.getText()), 10_000, "three or more attempts");
    await history.click();
    assert.match(await (await shown(app, "latency-chart")).getText(), /Test call latency/);
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
    await shown(app, "profile-view");
    const badge = await app.findElement(
      By.css('[data-testid="profile-item"][data-handle="from-cli"] [data-testid="status-badge"]'),
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
      async () => /Renamed on the command line/.test(await (await shown(app, "profile-view")).getText()),
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
      async () => (await app.findElements(By.css('[data-testid="profile-item"][data-handle="from-cli"]'))).length === 0,
      5_000,
      "the removed profile leaves the list",
    );
    await app.wait(
      async () => (await app.findElements(By.css('[data-testid="profile-view"]'))).length === 0,
      5_000,
      "its panel closes",
    );
  } finally {
    await app.quit();
  }
});

test("The token view decodes a JWT's claims and shows the token only on request", async () => {
  const standin = await startServer("standin.mjs");
  ctx.env.addProfile("client-credentials", "jwt-api", {
    fields: { token_url: standin.url("/jwt/token"), client_id: "c", scopes: "api" },
    secret: "s",
  });
  const app = await ctx.env.open();
  try {
    const item = await listItem(app, "jwt-api", 10_000);
    await item.click();
    await (await shown(app, "connect")).click();
    await shown(app, "token-expiry", 15_000);
    const view = await shown(app, "token-view");
    await view.findElement(By.css("summary")).click();
    assert.match(await (await shown(app, "claim-sub")).getText(), /"machine"/);
    assert.match(await (await shown(app, "claim-exp")).getText(), /in 1h 29m|in 1h 30m/);
    assert.match(await (await shown(app, "jwt-header")).getText(), /"alg"/);
    const page = await app.findElement(By.css("body")).getText();
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(page), "the token is not on screen until asked for");
    await (await shown(app, "token-reveal")).click();
    assert.match(await (await shown(app, "token-revealed")).getAttribute("value"), /^eyJ[\w-]+\.eyJ/);
    await saveScreenshot(app, "token-view.png");
  } finally {
    await app.quit();
    await standin.stop();
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
    await (await shown(app, "connect")).click();
    const expiry = await shown(app, "token-expiry", 15_000);
    const badge = await app.findElement(
      By.css('[data-testid="profile-item"][data-handle="short"] [data-testid="status-badge"]'),
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
      await app.sleep(500); // the monitor is listening
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
