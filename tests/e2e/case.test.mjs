// "It stopped working" in the window: a connection that worked fails with an answer that
// names no single cause; Diagnose ranks the candidate causes from this computer's history,
// Save case writes them to a file (through the system's Save dialog) and Open case… replays
// that file offline, with the same stages, cause and ranking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { By } from "selenium-webdriver";
import { answerOpenDialog, answerSaveDialog, listItem, press, shown, suite } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

/** The text of the sandbox's step for `handle`, or "" while it is not drawn. */
async function stepText(app, handle) {
  const [el] = await app.findElements(By.css(`[data-testid="${tid.sandboxStep}"][data-handle="${handle}"]`));
  return el ? el.getText() : "";
}

/** The ranking as drawn: each cause's id under the heading it is listed under. */
async function drawnRanking(app) {
  const box = await shown(app, tid.diagnoseRanking, 20_000);
  return app.executeScript(
    `const out = {};
     let heading = "";
     for (const el of arguments[0].children) {
       if (el.tagName === "STRONG") heading = el.textContent.trim();
       else for (const li of el.querySelectorAll("li[data-cause]")) (out[heading] ??= []).push(li.dataset.cause);
     }
     return out;`,
    box,
  );
}

/** The ranking of `diagnose --json` / `replay --json`, in the window's headings. */
function byHeading(ranking) {
  const words = { likely: "Most likely", possible: "Also possible", ruled_out: "Ruled out" };
  const out = {};
  for (const r of ranking) (out[words[r.verdict]] ??= []).push(r.cause);
  return out;
}

/** A command that exits non-zero when the connection fails: its JSON all the same. */
function cliJson(args) {
  try {
    return JSON.parse(ctx.env.cli(args));
  } catch (e) {
    if (!e.stdout) throw e;
    return JSON.parse(e.stdout);
  }
}

test("A connection that worked and now fails: ranked causes, saved as a case and replayed offline", async () => {
  const app = await ctx.env.open();
  const file = path.join(ctx.env.dataDir, "sandbox-api-case.json");
  try {
    // The sandbox's client-credentials profile connects: its history holds a success.
    await press(app, tid.trySandbox);
    await app.wait(
      async () => /connected · test call HTTP 200/.test(await stepText(app, "sandbox-api")),
      15_000,
      "sandbox-api connects",
    );
    // Then the provider refuses the grant with the answer that names no cause.
    const mode = await shown(app, tid.sandboxMode);
    await mode.findElement(By.css('option[value="rfc6749-invalid-grant"]')).click();
    await press(app, tid.sandboxApply);
    await shown(app, tid.sandboxModeNote);
    await (await listItem(app, "sandbox-api")).click();
    await press(app, tid.diagnose);
    assert.match(await (await shown(app, tid.diagnoseCause, 20_000)).getText(), /invalid_grant/);

    // Ranked: headed groups, each cause with its evidence in a line; what the history rules
    // out (a client-credentials request is no refresh, the clock agrees) is ruled out.
    const ranking = await drawnRanking(app);
    assert.ok(ranking["Ruled out"]?.length > 0, JSON.stringify(ranking));
    assert.ok(ranking["Ruled out"].includes("clock"), `the clock agrees: ${JSON.stringify(ranking)}`);
    assert.ok(ranking["Ruled out"].includes("rotation"), `no refresh was made: ${JSON.stringify(ranking)}`);
    for (const li of await app.findElements(By.css(`[data-testid="${tid.diagnoseRanking}"] li[data-cause]`))) {
      assert.match(await li.getText(), /^[^:\n]+: \S/, "each cause reads with its evidence");
    }

    // Save case: the system's Save dialog, answered as a person would.
    await press(app, tid.saveCase);
    await answerSaveDialog("Save case", file);
    assert.match(await (await shown(app, tid.caseNote, 10_000)).getText(), /Case saved \(no secrets, no tokens\)/);
    await app.wait(async () => existsSync(file), 5_000, "the case file is written");
    const saved = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(byHeading(saved.diagnosis.ranking), ranking, "the file holds the ranking shown");
    assert.ok(!readFileSync(file, "utf8").includes('"access_token":"ey'), "no token in the case");

    // The CLI replays the file offline to the same ranking the window showed.
    const replayed = cliJson(["replay", file, "--json"]);
    assert.equal(replayed.error, "invalid_grant");
    assert.deepEqual(byHeading(replayed.ranking), ranking, "replay ranks as the diagnosis did");

    // Open case…: the same file, replayed in the window, in place of the diagnosis.
    await press(app, tid.openCase);
    await answerOpenDialog("Open a case file", file);
    await app.wait(
      async () => {
        const [note] = await app.findElements(By.css(`[data-testid="${tid.caseNote}"]`));
        return /Replayed offline from a case recorded/.test(note ? await note.getText() : "");
      },
      20_000,
      "the case opened is replayed",
    );
    assert.match(await (await shown(app, tid.diagnoseCause)).getText(), /invalid_grant/);
    assert.deepEqual(await drawnRanking(app), ranking, "the case opened shows the same ranking");
  } finally {
    await app.quit();
  }
});
