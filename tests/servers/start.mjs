// Starts one of the test servers in this folder on 127.0.0.1 and waits (at most 20 s) for
// its "READY <port>" line. stop() ends it.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export async function startServer(script, env = {}) {
  const child = spawn(process.execPath, [path.join(here, script)], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 20 s`)), 20_000);
    let seen = "";
    child.stdout.on("data", (d) => {
      seen += d;
      const m = seen.match(/READY (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    port,
    url: (p = "") => `http://127.0.0.1:${port}${p}`,
    async stop() {
      child.stdin.end();
      child.kill();
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}
