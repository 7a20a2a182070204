// The window with many profiles, by keyboard, at a narrow width, and its form: Export chooses
// among a thousand profiles with its actions in view; the list draws its items whatever the
// density or filter while scrolled; the focus lands where the work goes on; each view opens
// at its top; the sidebar fits a narrow window; the form asks in the provider's words for
// what applies, folds the rest, and asks before unsaved changes are lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { By, Key } from "selenium-webdriver";
import { byTestId, listItem, press, saveScreenshot, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite({ idp: true });
const MANY = 1009;
let many = false;
/** The thousand profiles every test here starts with, added once. */
function withMany() {
  if (!many) addMany(MANY);
  many = true;
}

/** Adds `n` client-credentials profiles in one import (many-0000 … many-1008). */
function addMany(n) {
  ctx.env.addProfile("client-credentials", "many-seed", {
    fields: { token_url: "http://127.0.0.1:9/token", client_id: "c" },
    secret: "s",
  });
  const one = JSON.parse(ctx.env.cli(["export", "many-seed"]));
  ctx.env.cli(["remove", "many-seed"]);
  const [seed] = one.profiles;
  one.profiles = Array.from({ length: n }, (_, i) => {
    const handle = `many-${String(i).padStart(4, "0")}`;
    return { ...seed, handle, label: `Many ${String(i).padStart(4, "0")}` };
  });
  const file = path.join(ctx.env.dataDir, "many.json");
  writeFileSync(file, JSON.stringify(one));
  ctx.env.cli(["import", file]);
}

/** The rendered list items that lie inside the list's visible box. */
async function itemsInView(app) {
  return app.executeScript(`
    const nav = document.querySelector('nav[aria-label="Profiles"]');
    const box = nav.getBoundingClientRect();
    return [...nav.querySelectorAll('[data-testid="${tid.profileItem}"]')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > box.top + 1 && r.top < box.bottom - 1;
    }).length;`);
}

const active = (app) =>
  app.executeScript(
    "const a = document.activeElement; return a?.dataset?.testid ?? a?.closest('[data-testid]')?.dataset?.testid ?? a?.tagName;",
  );

/** Waits until the focus is on one of `ids`; a timeout names where the focus is instead. */
async function focusOn(app, ids, ms, what) {
  let last = "";
  try {
    await app.wait(async () => ids.includes((last = await active(app))), ms);
  } catch (e) {
    throw new Error(`${what}: the focus is on ${last}, not ${ids.join(" or ")} (${e.message})`);
  }
}

test("Export chooses among a thousand profiles: search, select all or none, Save as… always in view", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await listItem(app, "many-0000", 20_000);
    await press(app, tid.openExport);
    const saveAs = await shown(app, tid.exportSaveAs);
    const inViewport = (el) =>
      app.executeScript(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;",
        el,
      );
    assert.ok(await inViewport(saveAs), "Save as… is in view without scrolling");
    assert.match(await (await shown(app, tid.exportCount)).getText(), new RegExp(`^${MANY} of ${MANY} chosen`));
    // The text area says what it is.
    assert.equal(await (await shown(app, tid.exportJson)).getAttribute("aria-label"), "The export file's JSON");

    await press(app, tid.exportNone);
    assert.match(await (await shown(app, tid.exportCount)).getText(), new RegExp(`^0 of ${MANY} chosen`));
    await type(app, tid.exportSearch, "many-100");
    const listed = await app.findElements(byTestId(tid.exportChoice));
    assert.equal(listed.length, 9, "many-1000 … many-1008");
    await press(app, tid.exportAll);
    assert.match(await (await shown(app, tid.exportCount)).getText(), new RegExp(`^9 of ${MANY} chosen`));
    await app.wait(
      async () => /"many-1008"/.test(await (await shown(app, tid.exportJson)).getAttribute("value")),
      10_000,
    );
    assert.doesNotMatch(await (await shown(app, tid.exportJson)).getAttribute("value"), /"many-0001"/);
    // Scrolled to the end of the list of boxes, the actions are still in view.
    await app.executeScript(`document.querySelector('[data-testid="${tid.exportChoices}"]').scrollTop = 1e6;`);
    assert.ok(await inViewport(await shown(app, tid.exportSaveAs)), "Save as… stays in view");
    await saveScreenshot(app, "export-many.png");
    await press(app, tid.transferClose);
  } finally {
    await app.quit();
  }
});

test("the list draws its items when the density or the filter changes while scrolled", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await listItem(app, "many-0000", 20_000);
    const nav = await app.findElement(By.css('nav[aria-label="Profiles"]'));
    for (const compactFirst of [false, true]) {
      // Every density, scrolled to the end, to the middle: then the other density.
      for (const at of ["end", "middle"]) {
        const compact = await shown(app, tid.compact);
        if ((await compact.getAttribute("aria-pressed")) !== String(compactFirst)) await compact.click();
        await app.executeScript(
          "const n = arguments[0]; n.scrollTop = arguments[1] === 'end' ? n.scrollHeight : n.scrollHeight / 2; n.dispatchEvent(new Event('scroll'));",
          nav,
          at,
        );
        await app.wait(async () => (await itemsInView(app)) > 3, 5_000, "items show once scrolled");
        await press(app, tid.compact);
        // At once: the next frame already shows items (not after the scroll position has
        // crept back over blank frames).
        await app.executeAsyncScript(
          "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
        );
        assert.ok((await itemsInView(app)) > 3, `items show at once after the density changes at the ${at}`);
      }
    }
    // A search while scrolled to the end: its matches show.
    await app.executeScript(
      "const n = arguments[0]; n.scrollTop = n.scrollHeight; n.dispatchEvent(new Event('scroll'));",
      nav,
    );
    await type(app, tid.search, "many-00");
    await app.wait(async () => (await itemsInView(app)) > 3, 5_000, "the search's matches show");
    await type(app, tid.search, "many-000");
    // The selected item says it is the current one.
    const item = await listItem(app, "many-0002");
    await item.click();
    await app.wait(
      async () => (await item.getAttribute("aria-current")) === "page",
      5_000,
      "aria-current on the selected item",
    );
    const others = await app.findElements(By.css(`[data-testid="${tid.profileItem}"][aria-current]`));
    assert.equal(others.length, 1, "only the selected item is current");
  } finally {
    await app.quit();
  }
});

test("the focus goes to the form's first field, the new profile's heading, and Connect's and Diagnose's results", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await listItem(app, "many-0000", 20_000);
    // Ctrl+N: the form's first field has the focus (no Tabs through the sidebar).
    await app.findElement(By.css("body")).sendKeys(Key.chord(Key.CONTROL, "n"));
    await shown(app, tid.profileForm);
    await app.wait(async () => (await active(app)) === tid.field("template"), 5_000, "the first field has the focus");
    // So does New profile, pressed.
    await press(app, tid.newProfile);
    await app.wait(async () => (await active(app)) === tid.field("template"), 5_000, "the first field has the focus");

    // Create: the new profile's heading.
    await (await shown(app, tid.field("template"))).sendKeys("Client credentials (generic)");
    await type(app, tid.field("handle"), "focus-me");
    await type(app, tid.field("token_url"), "http://127.0.0.1:9/token");
    await type(app, tid.field("client_id"), "c");
    await type(app, tid.field("client_secret"), "s");
    await press(app, tid.saveProfile);
    await shown(app, tid.profileView);
    await app.wait(
      async () => (await active(app)) === tid.profileHeading,
      5_000,
      "the heading has the focus after Create",
    );

    // Connect (nothing listens on port 9): its failure has the focus.
    await press(app, tid.connect);
    await focusOn(app, [tid.connectError], 20_000, "Connect's result has the focus");
    // Diagnose: its result has the focus.
    await press(app, tid.diagnose);
    await focusOn(app, [tid.diagnoseCause, tid.diagnoseHealthy], 30_000, "Diagnose's result has the focus");
    // ... and is in view, its cause and fix read without scrolling.
    const inView = await app.executeScript(
      "const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight - 40;",
    );
    assert.ok(inView, "the diagnosis is scrolled into view");
  } finally {
    await app.quit();
  }
});

test("each view opens at its top, and the sidebar fits a narrow window", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await listItem(app, "many-0000", 20_000);
    await app.manage().window().setRect({ width: 1200, height: 600 });
    await press(app, tid.newProfile);
    await (await shown(app, tid.field("template"))).sendKeys("Client credentials (generic)");
    await type(app, tid.field("handle"), "opens-at-top");
    await type(app, tid.field("token_url"), "http://127.0.0.1:9/token");
    await type(app, tid.field("client_id"), "c");
    await type(app, tid.field("client_secret"), "s");
    // The form is scrolled down to its Create button, as a person would.
    await app.executeScript(
      `document.querySelector('[data-testid="${tid.saveProfile}"]').scrollIntoView({ block: "end" });`,
    );
    assert.ok(
      (await app.executeScript("return document.querySelector('main').scrollTop")) > 0,
      "the form was scrolled",
    );
    await press(app, tid.saveProfile);
    const heading = await shown(app, tid.profileHeading);
    await app.wait(async () => (await heading.getText()) === "opens-at-top", 5_000);
    const top = () => app.executeScript("return document.querySelector('main').scrollTop");
    assert.equal(await top(), 0, "the new profile opens at its top");
    const headingInView = await app.executeScript(
      "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;",
      heading,
    );
    assert.ok(headingInView, "its name is in view");
    // Another profile, scrolled down first: it too opens at its top.
    await app.executeScript("document.querySelector('main').scrollTop = 1e6;");
    await (await listItem(app, "many-0001")).click();
    await app.wait(async () => (await (await shown(app, tid.profileHeading)).getText()) === "Many 0001", 5_000);
    assert.equal(await top(), 0, "another profile opens at its top");

    // From a wide window down to 760 px: the sidebar narrows below 900 px; its buttons hold
    // one line each and its filters show their words at every width.
    for (const width of [1400, 1120, 900, 760]) {
      await app.manage().window().setRect({ width, height: 600 });
      await app.wait(async () => Math.abs((await app.executeScript("return outerWidth")) - width) < 30, 5_000);
      const fit = await app.executeScript(`
      const side = document.querySelector('.sidebar').getBoundingClientRect().width;
      const lines = [...document.querySelectorAll('.sidebar header button')].map((b) => {
        const style = getComputedStyle(b);
        return Math.round(b.getBoundingClientRect().height / parseFloat(style.lineHeight || '16') );
      });
      const canvas = document.createElement('canvas').getContext('2d');
      const cut = [...document.querySelectorAll('.list-tools select')].filter((s) => {
        const st = getComputedStyle(s);
          canvas.font = st.fontWeight + " " + st.fontSize + " " + st.fontFamily;
        const text = s.options[s.selectedIndex]?.text ?? '';
        // The text, the padding either side and the arrow (about 20 px) fit the box.
          const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
          return canvas.measureText(text).width > room;
      }).map((s) => s.options[s.selectedIndex]?.text);
      const tall = [...document.querySelectorAll('.sidebar header button')].filter((b) => b.scrollHeight > 40).map((b) => b.textContent);
      return { side, cut, tall, lines };`);
      if (width < 900) assert.ok(fit.side < 300, `the sidebar narrows (${fit.side} px)`);
      assert.deepEqual(fit.cut, [], `${width} px: no filter's words are cut`);
      assert.deepEqual(fit.tall, [], `${width} px: no header button breaks over lines`);
      if (width === 760) await saveScreenshot(app, "narrow.png");
    }
  } finally {
    await app.manage().window().setRect({ width: 1200, height: 800 });
    await app.quit();
  }
});

test("the form asks in the provider's words for what applies, shows defaults, and folds the rest", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    const template = await shown(app, tid.field("template"));
    const ids = await app.executeScript("return [...arguments[0].options].map((o) => o.value)", template);
    assert.ok(ids.length >= 7, `templates: ${ids}`);
    for (const id of ids) {
      await app.executeScript(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        template,
        id,
      );
      const form = await shown(app, tid.profileForm);
      const seen = await app.executeScript(
        `
        const form = arguments[0];
        const visible = (el) => el.getClientRects().length > 0 && !el.closest("details:not([open])");
        const fields = [...form.querySelectorAll('[data-testid^="field-"]')].filter(visible).map((el) => el.dataset.testid);
        const fold = form.querySelector('[data-testid="${tid.advancedFields}"]');
        return { fields, code: form.querySelectorAll('label code').length, text: form.innerText, fold: fold ? fold.open : null };`,
        form,
      );
      assert.equal(seen.code, 0, `${id}: no field ids beside the labels`);
      assert.doesNotMatch(seen.text, /oauthdesk token|Scripts use it/, `${id}: no command-line clutter`);
      assert.equal(seen.fold, false, `${id}: an Advanced fold, closed`);
      // Template, handle and label, and the fields the grant needs: no more than a dozen.
      assert.ok(seen.fields.length <= 12, `${id}: ${seen.fields.length} fields in view: ${seen.fields}`);
      for (const advanced of ["field-test_method", "field-timeout", "field-allowed_hosts", "field-default_params"]) {
        assert.ok(!seen.fields.includes(advanced), `${id}: ${advanced} is under Advanced`);
      }
    }
    // Salesforce client credentials: its own words, no environment, its scope default shown.
    await app.executeScript(
      "arguments[0].value = 'salesforce-client-credentials'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
      template,
    );
    assert.equal(await app.findElements(byTestId(tid.field("environment"))).then((e) => e.length), 0, "no Environment");
    await saveScreenshot(app, "form.png");
    assert.equal(await (await shown(app, tid.field("scopes"))).getAttribute("placeholder"), "api");
    const form = await (await shown(app, tid.profileForm)).getText();
    assert.match(form, /Consumer Key/);
    assert.match(form, /My Domain URL/);
    // The fold opens on the rest.
    await (await app.findElement(By.css(`[data-testid="${tid.advancedFields}"] summary`))).click();
    assert.equal(await (await shown(app, tid.field("test_method"))).getAttribute("placeholder"), "GET");
  } finally {
    await app.quit();
  }
});

test("Discover says its error once, marks what it filled, and a public client authenticates with none", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await press(app, tid.newProfile);
    await (await shown(app, tid.field("template"))).sendKeys("Custom OAuth 2.0 (authorization code)");
    await type(app, tid.field("issuer"), "http://127.0.0.1:9");
    await press(app, tid.discover);
    const problem = await shown(app, tid.problem("issuer"), 20_000);
    const said = await problem.getText();
    const page = await (await shown(app, tid.profileForm)).getText();
    assert.equal(page.split(said).length - 1, 1, `the error shows once: ${said}`);
    assert.equal(await app.findElements(byTestId(tid.formError)).then((e) => e.length), 0, "not again at the top");

    await type(app, tid.field("issuer"), ctx.idp.url(""));
    await press(app, tid.discover);
    await shown(app, tid.discovered, 20_000);
    const filled = await app.executeScript(
      'return [...document.querySelectorAll(\'[data-filled="true"] [data-testid^="field-"]\')].map((e) => e.dataset.testid)',
    );
    for (const f of ["authorize_url", "token_url"]) assert.ok(filled.includes(tid.field(f)), `${f} marked: ${filled}`);
    assert.equal(
      await app.findElements(byTestId(tid.problem("issuer"))).then((e) => e.length),
      0,
      "the old error is gone",
    );
    // No secret typed: a public client, which this server lets authenticate with none.
    assert.equal(await (await shown(app, tid.field("client_auth"))).getAttribute("value"), "none");
  } finally {
    await app.quit();
  }
});

test("a form with unsaved changes asks before it is left", async () => {
  withMany();
  const app = await ctx.env.open();
  try {
    await listItem(app, "many-0000", 20_000);
    for (const leave of ["list item", "cancel"]) {
      await press(app, tid.newProfile);
      await type(app, tid.field("handle"), "half-typed");
      if (leave === "list item") await (await listItem(app, "many-0003")).click();
      else await (await app.findElement(By.xpath("//button[normalize-space(.)='Cancel']"))).click();
      await shown(app, tid.unsavedPrompt);
      await press(app, tid.keepEditing);
      assert.equal(await (await shown(app, tid.field("handle"))).getAttribute("value"), "half-typed", `${leave}: kept`);
      if (leave === "list item") await (await listItem(app, "many-0003")).click();
      else await (await app.findElement(By.xpath("//button[normalize-space(.)='Cancel']"))).click();
      await press(app, tid.discardChanges);
      await app.wait(
        async () => (await app.findElements(byTestId(tid.profileForm))).length === 0,
        5_000,
        `${leave}: left`,
      );
    }
    // A form with no change asks nothing.
    await press(app, tid.newProfile);
    await shown(app, tid.profileForm);
    await (await listItem(app, "many-0004")).click();
    await shown(app, tid.profileView);
    assert.equal(await app.findElements(byTestId(tid.unsavedPrompt)).then((e) => e.length), 0);
  } finally {
    await app.quit();
  }
});

test("a new client-credentials profile to its first successful test, from the keyboard alone", async () => {
  withMany();
  const app = await ctx.env.open();
  let keys = 0;
  const press = async (...k) => {
    keys += k.length;
    await app
      .switchTo()
      .activeElement()
      .then((el) => el.sendKeys(...k));
  };
  const typeHere = async (text) => {
    keys += 1; // the text itself, counted as one entry
    await (await app.switchTo().activeElement()).sendKeys(text);
  };
  try {
    await listItem(app, "many-0000", 20_000);
    await app.findElement(By.css("body")).sendKeys(Key.chord(Key.CONTROL, "n"));
    keys += 1;
    await app.wait(async () => (await active(app)) === tid.field("template"), 5_000);
    // The template by its first letters, then Tab to each field the grant needs.
    await typeHere("Client credentials (generic)");
    await press(Key.TAB, Key.TAB);
    assert.equal(await active(app), tid.field("handle"));
    await typeHere("journey");
    // Past the label and the (optional) issuer to Discover from.
    await press(Key.TAB, Key.TAB, Key.TAB);
    assert.equal(await active(app), tid.field("token_url"), "the token URL follows the label and the issuer");
    await typeHere(ctx.idp.url("/token"));
    await press(Key.TAB);
    await typeHere("cc-basic");
    await press(Key.TAB);
    assert.equal(await active(app), tid.field("client_secret"));
    await typeHere("basic-secret");
    await press(Key.TAB);
    assert.equal(await active(app), tid.field("scopes"));
    await typeHere("api");
    await press(Key.TAB);
    await typeHere(ctx.idp.url("/.well-known/openid-configuration"));
    // Enter creates it; Ctrl+Enter tests it.
    await press(Key.ENTER);
    await app.wait(async () => (await active(app)) === tid.profileHeading, 10_000, "the new profile's heading");
    await press(Key.chord(Key.CONTROL, Key.ENTER));
    await app.wait(async () => (await active(app)) === tid.tokenInfo, 20_000, "the token, focused");
    assert.equal(await (await shown(app, tid.testStatus)).getText(), "HTTP 200");
    // Ctrl+N, template, 2 Tabs, handle, 3 Tabs, token URL, Tab, client ID, Tab, secret, Tab,
    // scope, Tab, test URL, Enter, Ctrl+Enter: no click, no scroll.
    assert.equal(keys, 19, `${keys} keys and entries`);
  } finally {
    await app.quit();
  }
});

test("a new Salesforce client-credentials profile to its first test takes 13 keys and no click", async () => {
  withMany();
  const app = await ctx.env.open();
  let keys = 0;
  const press = async (...k) => {
    keys += k.length;
    await (await app.switchTo().activeElement()).sendKeys(...k);
  };
  try {
    await listItem(app, "many-0000", 20_000);
    await app.findElement(By.css("body")).sendKeys(Key.chord(Key.CONTROL, "n"));
    keys += 1;
    await app.wait(async () => (await active(app)) === tid.field("template"), 5_000);
    const template = await shown(app, tid.field("template"));
    assert.equal(await template.getAttribute("value"), "salesforce-client-credentials", "the first template");
    const steps = [
      ["handle", "sf-journey", 2],
      ["my_domain", "https://acme.my.salesforce.com", 2],
      ["client_id", "3MVG9journey", 1],
      ["client_secret", "journey-secret", 1],
    ];
    for (const [field, text, tabs] of steps) {
      await press(...Array(tabs).fill(Key.TAB));
      assert.equal(await active(app), tid.field(field));
      await press(text);
    }
    await press(Key.ENTER);
    await app.wait(async () => (await active(app)) === tid.profileHeading, 10_000, "the new profile's heading");
    await press(Key.chord(Key.CONTROL, Key.ENTER));
    // Salesforce is not reached from here: the attempt's result, whatever it is, has the focus.
    await app.wait(
      async () => [tid.connectError, tid.tokenInfo, tid.connectNotice].includes(await active(app)),
      60_000,
      "the first test's result, focused",
    );
    assert.equal(keys, 13, `${keys} keys and entries`);
  } finally {
    await app.quit();
  }
});
