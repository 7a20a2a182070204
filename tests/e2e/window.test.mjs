// The window as a desktop application: it comes back at the size it was left, and a second
// launch on the same store focuses the running window instead of opening another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { binary, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

/** Runs `oauthdesk` with no arguments (the window) and waits at most `ms` for it to end. */
function launch(env, ms) {
  const child = spawn(binary, [], { env, stdio: "ignore" });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: null, timedOut: true });
    }, ms);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut: false });
    });
  });
}

/** The window sizes tauri-plugin-window-state has saved (its file), by window label. */
function savedSizes() {
  const config = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config");
  try {
    return JSON.parse(readFileSync(path.join(config, "dev.oauthdesk.app", ".window-state.json"), "utf8"));
  } catch {
    return {};
  }
}

test("the window comes back at the size it was left", async () => {
  let app = await ctx.env.open();
  try {
    await shown(app, tid.newProfile);
    await app.manage().window().setRect({ width: 980, height: 640 });
    const set = await app.manage().window().getRect();
    assert.equal(set.width, 980, "the window took the new width");
    const saved = () => Object.values(savedSizes()).some((w) => w.width === 980 && w.height === 640);
    await app.wait(async () => saved(), 5_000, "the size is saved once the window settles");
  } finally {
    await app.quit();
  }
  app = await ctx.env.open();
  try {
    await shown(app, tid.newProfile);
    const rect = await app.manage().window().getRect();
    assert.equal(rect.width, 980);
    assert.equal(rect.height, 640);
  } finally {
    await app.quit();
  }
});

test("a second launch on the same store exits and leaves the running window", async () => {
  const app = await ctx.env.open();
  try {
    await shown(app, tid.newProfile);
    const second = await launch(ctx.env.env, 15_000);
    assert.equal(second.timedOut, false, "the second launch ended instead of opening a window");
    assert.equal(second.code, 0);
    // The first window still answers.
    assert.ok(await (await shown(app, tid.newProfile)).isDisplayed());
  } finally {
    await app.quit();
  }
});
