// Starts tauri-driver (which starts WebKitWebDriver, which starts OAuth Desk) and opens
// WebDriver sessions on the real window. Every process started here is stopped by stop().
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { Builder, By, until } from "selenium-webdriver";
import { startServer } from "../servers/start.mjs";
import { tid } from "../../ui/src/testids.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "..", "..");
export const binary = process.env.OAUTHDESK_BIN ?? path.join(repo, "target", "debug", "oauthdesk");
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
// The WebDriver behind tauri-driver; its own port lets two suites run side by side.
const NATIVE_PORT = Number(process.env.TAURI_DRIVER_NATIVE_PORT ?? PORT + 1);

async function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Whether any process of the group `pgid` is still running. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends tauri-driver's process group: tauri-driver, the WebDriver it started and every window
 * that WebDriver opened (a window whose session did not close it would otherwise outlive the
 * suite and hold its output open). Asked to end first; what remains after 5 s is killed.
 */
async function endGroup(pgid) {
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return; // gone already
  }
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
}

/** A fresh data directory and a running tauri-driver whose app uses it. */
export async function start() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "oauthdesk-e2e-"));
  // The window never opens a real browser for sign-ins here; tests read the URL it shows.
  const env = { ...process.env, OAUTHDESK_DATA_DIR: dataDir, OAUTHDESK_BROWSER: "none" };
  // A process group of its own (detached), so that stop() ends everything it started.
  const driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(NATIVE_PORT)], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  // A run that ends without stop() (a failed hook, an uncaught error) still takes its windows.
  const onExit = () => {
    try {
      process.kill(-driver.pid, "SIGKILL");
    } catch {
      // gone already
    }
  };
  process.once("exit", onExit);
  for (let i = 0; i < 100 && !(await portOpen(PORT)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await portOpen(PORT))) {
    await endGroup(driver.pid);
    throw new Error(`tauri-driver did not listen on 127.0.0.1:${PORT} within 10 s`);
  }
  return {
    dataDir,
    env,
    /** Opens the app in a new session (a new process each time). */
    async open() {
      const session = await new Builder()
        .usingServer(`http://127.0.0.1:${PORT}/`)
        .withCapabilities({ browserName: "wry", "tauri:options": { application: binary } })
        .build();
      await session.manage().setTimeouts({ implicit: 0, script: 10_000 });
      return session;
    },
    /** Runs the CLI against the same data directory; `input` goes to its stdin. */
    cli(args, input = "") {
      return execFileSync(binary, args, { env, encoding: "utf8", input });
    },
    /**
     * Creates a profile through the CLI (`oauthdesk add`), its secret (if any) on stdin:
     * addProfile("client-credentials", "api", { label, fields: { token_url, client_id }, secret }).
     */
    addProfile(template, handle, { label, fields = {}, secret } = {}) {
      const args = ["add", template, "--handle", handle];
      if (label !== undefined) args.push("--label", label);
      for (const [field, value] of Object.entries(fields)) args.push("--set", `${field}=${value}`);
      if (secret !== undefined) args.push("--secret-stdin");
      return this.cli(args, secret ?? "");
    },
    async stop() {
      process.off("exit", onExit);
      await endGroup(driver.pid);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const byTestId = (id) => By.css(`[data-testid="${id}"]`);

/** The element with this test id, once it is shown (at most `ms`). */
export async function shown(session, id, ms = 10_000) {
  const el = await session.wait(until.elementLocated(byTestId(id)), ms, `no [data-testid=${id}] within ${ms} ms`);
  await session.wait(until.elementIsVisible(el), ms);
  return el;
}

/** The list item of the profile `handle`, once it is in the list (at most `ms`). */
export async function listItem(session, handle, ms = 10_000) {
  const css = `[data-testid="${tid.profileItem}"][data-handle="${handle}"]`;
  // Located is not enough: the list draws only the items in view and lays them out once
  // measured, so the item is scrolled to the middle of the list and returned only when a
  // click at its centre would reach it (or, under an open dialog, once it is laid out).
  return session.wait(
    async () => {
      const el = (await session.findElements(By.css(css)))[0];
      if (!el) return null;
      const reachable = await session.executeScript(
        `const el = arguments[0];
         el.scrollIntoView({ block: "center" });
         const r = el.getBoundingClientRect();
         if (r.width === 0 || r.height === 0) return false;
         // Under an open dialog the item is read, not clicked: laid out is enough then.
         if (document.querySelector("[role=dialog], [role=alertdialog], dialog[open]")) return true;
         const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
         return hit !== null && el.contains(hit);`,
        el,
      );
      return reachable ? el : null;
    },
    ms,
    `no list item for ${handle} within ${ms} ms`,
  );
}

/**
 * Presses the element with this test id as a person would: once it is shown, enabled, has
 * stopped moving (an explanation or a result drawn above it moves it down) and a click at its
 * centre reaches it. A click sent while it moves lands where it was, on something else.
 */
export async function press(session, id, ms = 10_000) {
  const el = await shown(session, id, ms);
  let last = "";
  await session.wait(
    async () => {
      const at = await session.executeScript(
        `const el = arguments[0];
         if (el.disabled) return null;
         el.scrollIntoView({ block: "nearest" });
         const r = el.getBoundingClientRect();
         if (r.width === 0 || r.height === 0) return null;
         const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
         if (hit === null || !(el.contains(hit) || hit.contains(el))) return null;
         return [r.left, r.top, r.width, r.height].join(",");`,
        el,
      );
      const still = at !== null && at === last;
      last = at ?? "";
      if (!still) await new Promise((r) => setTimeout(r, 50));
      return still;
    },
    ms,
    `[data-testid=${id}] did not settle where a click reaches it within ${ms} ms`,
  );
  await el.click();
  return el;
}

export async function type(session, id, text) {
  const el = await shown(session, id);
  await el.clear();
  await el.sendKeys(text);
}

/** The X window titled `title` (at most 5 s), focused. */
async function focusWindow(title) {
  let win = "";
  for (let i = 0; i < 50 && !win; i++) {
    try {
      win = execFileSync("xdotool", ["search", "--onlyvisible", "--name", title], { encoding: "utf8" })
        .trim()
        .split("\n")[0];
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!win) throw new Error(`no "${title}" dialog within 5 s`);
  // A window just mapped may not take the focus yet (X BadMatch): ask again, at most 2 s.
  for (let i = 0; ; i++) {
    try {
      execFileSync("xdotool", ["windowfocus", "--sync", win], { stdio: "pipe" });
      return win;
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Answers one of the window's native questions (a GTK dialog outside the webview) as a person
 * would: `yes` presses its first button by its mnemonic (Alt and the label's first letter),
 * otherwise Escape cancels it.
 */
export async function answerQuestion(title, { yes, label = "" }) {
  await focusWindow(title);
  const key = yes ? `alt+${label.charAt(0).toLowerCase()}` : "Escape";
  // Real key presses (XTEST) to the focused dialog: GTK ignores keys sent to a window.
  execFileSync("xdotool", ["key", "--clearmodifiers", key]);
}

/** Whether a native dialog titled `title` is open now. */
export function questionOpen(title) {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", title], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}

/**
 * Answers the system's Save dialog (a GTK window, outside the webview) as a person would:
 * waits for the window titled `title` (at most 5 s), types `file` as its name, presses Enter.
 */
export async function answerSaveDialog(title, file) {
  const win = await focusWindow(title);
  execFileSync("xdotool", ["key", "--window", win, "ctrl+a"]);
  execFileSync("xdotool", ["type", "--window", win, "--delay", "5", file]);
  execFileSync("xdotool", ["key", "--window", win, "Return"]);
}

/**
 * Answers the system's Open dialog as a person would: waits for the window titled `title`,
 * opens its location field (Ctrl+L), types the file's absolute path and presses Enter; an
 * Enter taken by the field's completion is pressed again, until the dialog closes (at most 5 s).
 */
export async function answerOpenDialog(title, file) {
  const win = await focusWindow(title);
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  execFileSync("xdotool", ["key", "--window", win, "ctrl+l"]);
  await pause(300);
  execFileSync("xdotool", ["type", "--window", win, "--delay", "5", file]);
  await pause(500);
  for (let i = 0; i < 10 && questionOpen(title); i++) {
    execFileSync("xdotool", ["key", "--window", win, "Return"]);
    await pause(500);
  }
  if (questionOpen(title)) throw new Error(`the "${title}" dialog did not take ${file}`);
}

/** Keeps a picture of the window in tests/.work/ for people to look at after a run. */
export async function saveScreenshot(session, name) {
  const dir = path.join(repo, "tests", ".work");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), Buffer.from(await session.takeScreenshot(), "base64"));
}

/**
 * Registers before/after hooks for a suite: a fresh data directory and tauri-driver, and,
 * with `idp`, npm's oidc-provider on 127.0.0.1. Read `ctx.env` and `ctx.idp` inside tests.
 */
export function suite({ idp = false } = {}) {
  const ctx = { env: null, idp: null };
  before(async () => {
    if (idp) ctx.idp = await startServer("oidc.mjs");
    ctx.env = await start();
  });
  after(async () => {
    await ctx.env?.stop();
    await ctx.idp?.stop();
  });
  return ctx;
}
