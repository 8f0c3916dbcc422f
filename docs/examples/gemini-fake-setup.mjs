// Starts `gemini-fake serve` for a JS test run and stops it afterwards (docs/js-test-runners.md).
// vitest: `globalSetup: ["./gemini-fake-setup.mjs"]` (the default export returns the teardown).
// jest: `globalSetup: "./gemini-fake-setup.mjs"`, `globalTeardown: "./gemini-fake-teardown.mjs"`
// with that file holding `export { teardown as default } from "./gemini-fake-setup.mjs";`.
// Both run it in the main process before the test workers start, and the workers inherit its
// environment, so every test's `new GoogleGenAI({})` reaches the fake.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const COMMAND = process.env.GEMINI_FAKE_COMMAND ?? "gemini-fake"; // where it is not on PATH
const ARGS = ["serve", "--port", "0"]; // add --fixtures DIR, --strict, ... here
const START_SECONDS = 30;

export async function setup() {
  const dir = mkdtempSync(join(tmpdir(), "gemini-fake-"));
  const portFile = join(dir, "port");
  const child = spawn(COMMAND, [...ARGS, "--port-file", portFile], {
    stdio: ["ignore", "ignore", "inherit"], // its errors show in the test run's output
  });
  globalThis.__geminiFake = { child, dir };
  try {
    const port = await portOnceListening(child, portFile);
    const baseUrl = `http://127.0.0.1:${port}`;
    const health = await fetch(`${baseUrl}/__fake__/health`);
    if (!health.ok) throw new Error(`${baseUrl}/__fake__/health answered ${health.status}`);
    process.env.GOOGLE_GEMINI_BASE_URL = baseUrl;
    process.env.GEMINI_API_KEY = "any-key"; // any key is accepted unless given --api-key
    delete process.env.GOOGLE_API_KEY; // it would win over GEMINI_API_KEY in the SDK
  } catch (error) {
    await teardown(); // no fake left running when the run stops here
    throw error;
  }
  return teardown;
}

async function portOnceListening(child, portFile) {
  let failed = null;
  child.on("error", (error) => (failed = error)); // e.g. the command is not installed
  const deadline = Date.now() + START_SECONDS * 1000;
  for (;;) {
    if (failed) throw new Error(`${COMMAND} did not start: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`${COMMAND} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${COMMAND} did not start in ${START_SECONDS} s`);
    try {
      return Number(readFileSync(portFile, "utf8")); // written whole, once it listens
    } catch {
      await sleep(50);
    }
  }
}

export async function teardown() {
  const { child, dir } = globalThis.__geminiFake ?? {};
  const running = child?.pid !== undefined && child.exitCode === null && !child.signalCode;
  if (running) {
    const exited = once(child, "exit");
    child.kill("SIGTERM"); // a clean stop: it finishes within 3 s and removes the port file
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  globalThis.__geminiFake = undefined;
}

export default setup;
