// The window's accessibility, checked by axe-core (npm) injected through WebDriver: no
// serious or critical violation on the list, a profile, the form, Diagnose, Keys, Test all,
// Paste an error and Export, in the light theme and in the dark one (the stylesheet's own
// dark rules, applied as the system's dark preference would).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { By } from "selenium-webdriver";
import { listItem, press, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Serious and critical violations on the page as it is now, each with where it is. */
async function violations(app) {
  await app.executeScript(`if (!window.axe) { ${AXE} }`);
  const found = await app.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    axe.run(document, { resultTypes: ["violations"] })
      .then((r) => done(r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + (n.failureSummary ?? "").split("\\n").slice(1, 3).join(" ")) }))))
      .catch((e) => done([{ id: "axe-error", help: String(e), nodes: [] }]));`);
  return found;
}

/** Applies the stylesheet's dark rules (its prefers-color-scheme: dark block), or removes them. */
async function theme(app, dark) {
  await app.executeScript(
    `document.getElementById("forced-theme")?.remove();
     if (!arguments[0]) return;
     const rules = [];
     for (const sheet of document.styleSheets)
       for (const r of sheet.cssRules)
         if (r.conditionText && r.conditionText.includes("prefers-color-scheme: dark")) for (const inner of r.cssRules) rules.push(inner.cssText);
     const style = document.createElement("style");
     style.id = "forced-theme";
     style.textContent = rules.join("\\n") + " :root { color-scheme: dark; }";
     document.head.append(style);`,
    dark,
  );
}

test("axe finds no serious or critical violation in any view, light or dark", async () => {
  ctx.env.addProfile("client-credentials", "failing-api", {
    label: "Failing API",
    fields: { token_url: "http://127.0.0.1:9/token", client_id: "c" },
    secret: "s",
  });
  ctx.env.addProfile("salesforce-jwt-bearer", "sf-jwt", {
    label: "Salesforce JWT",
    fields: { my_domain: "https://acme.my.salesforce.com", client_id: "k", username: "u@example.com" },
  });
  const app = await ctx.env.open();
  const report = [];
  const check = async (view) => {
    for (const dark of [false, true]) {
      await theme(app, dark);
      for (const v of await violations(app))
        report.push(
          `${view} (${dark ? "dark" : "light"}): ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join("\n    ")}`,
        );
    }
    await theme(app, false);
  };
  try {
    await listItem(app, "failing-api", 10_000);
    await check("the list");

    await press(app, tid.openExport);
    await shown(app, tid.exportSaveAs);
    await check("Export");
    await press(app, tid.transferClose);

    await (await listItem(app, "failing-api")).click();
    await shown(app, tid.profileView);
    await check("a profile");

    await press(app, tid.diagnose);
    await app.wait(
      async () =>
        (await app.findElements(By.css(`[data-testid="${tid.diagnoseCause}"], [data-testid="${tid.diagnoseHealthy}"]`)))
          .length > 0,
      30_000,
      "Diagnose's result",
    );
    await check("Diagnose");

    await (await listItem(app, "sf-jwt")).click();
    await shown(app, tid.keysPanel);
    await check("Keys");

    await press(app, tid.newProfile);
    await shown(app, tid.profileForm);
    await check("the form");
    for (const fold of await app.findElements(By.css(`[data-testid="${tid.advancedFields}"] summary`))) {
      await fold.click();
      await check("the form's advanced fields");
    }

    await press(app, tid.testAll);
    await shown(app, tid.testAllSummary, 30_000);
    await check("Test all");

    await press(app, tid.openExplain);
    await type(app, tid.explainText, '{"error":"invalid_client","error_description":"client authentication failed"}');
    await press(app, tid.explain);
    await shown(app, tid.explainResult, 10_000);
    await check("Paste an error");
  } finally {
    await app.quit();
  }
  assert.deepEqual(report, [], `axe:\n${report.join("\n")}`);
});
