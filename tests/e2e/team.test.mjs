// A team folder made by the command line, in a real Git repository: a profile synced from it
// shows the folder and the commit it comes from; its Sync reads the folder again and shows
// what changed (a label, a profile removed); and saving an edit in the window writes the
// profile's team file and says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { binary, byTestId, listItem, press, shown, suite, type } from "./driver.mjs";
import { tid } from "../../ui/src/testids.js";

const ctx = suite();

function git(dir, ...args) {
  return execFileSync(
    "git",
    ["-c", "user.name=Tester", "-c", "user.email=tester@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } },
  ).trim();
}

test("A profile from a team folder shows its folder and commit, syncs, and an edit writes its file", async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "oauthdesk-e2e-team-"));
  try {
    const folder = path.join(root, "repo", "oauth");
    const other = path.join(root, "colleague-data");
    // A colleague's store makes the folder: two profiles exported and committed.
    const colleague = (...args) =>
      execFileSync(binary, ["--data-dir", other, ...args], { encoding: "utf8", input: "" });
    for (const handle of ["team-api", "team-old"]) {
      colleague(
        "add",
        "client-credentials",
        "--handle",
        handle,
        "--label",
        `Team ${handle}`,
        "--set",
        "token_url=https://auth.example.com/token",
        "--set",
        "client_id=machine",
        "--set",
        "secret_ref=env:TEAM_SECRET",
      );
    }
    execFileSync("git", ["init", "-q", "-b", "main", path.join(root, "repo")]);
    colleague("team", "init", folder);
    colleague("team", "export", "team-api", "team-old", folder);
    git(folder, "add", "-A");
    git(folder, "commit", "-q", "-m", "Team profiles");
    const first = git(folder, "rev-parse", "HEAD");
    ctx.env.cli(["team", "sync", folder]);

    const app = await ctx.env.open();
    try {
      await (await listItem(app, "team-api")).click();
      const origin = await shown(app, tid.teamOrigin);
      const text = await origin.getText();
      assert.ok(text.includes(folder), text);
      assert.ok(text.includes(first.slice(0, 12)), text);

      // The colleague renames one profile and retires the other; Sync shows both.
      colleague("edit", "team-api", "--label", "Renamed by a colleague");
      unlinkSync(path.join(folder, "profiles", "team-old.json"));
      git(folder, "add", "-A");
      git(folder, "commit", "-q", "-m", "Rename, retire");
      await press(app, tid.teamSync);
      const report = await shown(app, tid.teamSyncReport);
      await app.wait(async () => (await report.getText()).includes("removed"), 10_000, "the report lists each profile");
      const changed = await (await app.findElement(byTestId(tid.teamSyncEntry("team-api")))).getText();
      assert.match(changed, /changed team-api \(label\)/);
      const removed = await (await app.findElement(byTestId(tid.teamSyncEntry("team-old")))).getText();
      assert.match(removed, /removed team-old/);
      await app.wait(
        async () => (await (await shown(app, tid.profileHeading)).getText()) === "Renamed by a colleague",
        10_000,
        "the view shows the synced label",
      );

      // An edit saved in the window writes the team file, and the window says so.
      await press(app, tid.editProfile);
      await type(app, tid.field("label"), "Edited in the window");
      await press(app, tid.saveProfile);
      const note = await shown(app, tid.teamFileWritten);
      assert.match(await note.getText(), /Wrote its team file .*team-api\.json/);
      const file = JSON.parse(readFileSync(path.join(folder, "profiles", "team-api.json"), "utf8"));
      assert.equal(file.label, "Edited in the window");
      assert.equal(file.secret_ref, "env:TEAM_SECRET");
    } finally {
      await app.quit();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
