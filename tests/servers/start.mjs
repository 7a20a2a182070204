// Starts a test server on 127.0.0.1 and waits (at most 20 s) for its "READY <port>" line:
// one of the Node servers in this folder (startServer), or the sandbox's test scenarios
// (startStandIn). stop() ends it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");

/** npm's oidc-provider (oidc.mjs) or another Node server of this folder. */
export function startServer(script, env = {}) {
  return startProgram(script, process.execPath, [path.join(here, script)], env);
}

/**
 * The sandbox's test scenarios (crates/sandbox/src/standin): Salesforce's exact answers,
 * misbehaving and echoing endpoints, GET /__stats. Built by `make test-e2e`, or by
 * `cargo build -p oauthdesk-sandbox --features standin --example standin`.
 */
export function startStandIn(env = {}) {
  const program = process.env.OAUTHDESK_STANDIN_BIN ?? path.join(repo, "target", "debug", "examples", "standin");
  if (!existsSync(program)) {
    throw new Error(`${program} is missing: cargo build -p oauthdesk-sandbox --features standin --example standin`);
  }
  return startProgram("the stand-in", program, [], env);
}

async function startProgram(name, command, args, env) {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
    let seen = "";
    child.stdout.on("data", (d) => {
      seen += d;
      const m = seen.match(/READY (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return {
    port,
    url: (p = "") => `http://127.0.0.1:${port}${p}`,
    async stop() {
      child.stdin.end();
      child.kill();
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}
