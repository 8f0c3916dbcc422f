// Runs Apps Script files in node through the shim of ./shim.mjs and prints one JSON line each.
//
//   node appsscript/run.mjs <name> [more names...]        (cwd = tests/js)
//
// <name> is examples/<name>.gs (the guide's examples, verbatim) or checks/<name>.gs. Each runs
// as Apps Script runs a function: the file's top level in a fresh global scope, then `main()`.
// The environment gives:
//   GOOGLE_GEMINI_BASE_URL  where requests to https://generativelanguage.googleapis.com go
//   GEMINI_API_KEY          the script property GEMINI_API_KEY
//   APPS_SCRIPT_IMAGE       the file served for the guide's placeholder http://image/url
//   APPS_SCRIPT_ROUTES      more routes, a JSON object {origin: loopback origin} (optional)
//
// Output per file: {"example", "ok", "logged": [{"via", "level", "text"}], "fetches": [{"url",
// "method", "contentType", "status", "responseType", "size"}][, "error": {"name",
// "message"}]}. The exit code is 0 even when a script throws, 2 for a usage error.

import { existsSync, readFileSync } from "node:fs";
import { runInContext, createContext } from "node:vm";

import { services } from "./shim.mjs";
import { Transport } from "./transport.mjs";

export const SERVICE = "https://generativelanguage.googleapis.com";
export const PLACEHOLDER_IMAGE = "http://image/url";
const FOLDERS = ["examples", "checks"];

function scriptFile(name) {
  const found = FOLDERS.map((folder) => new URL(`./${folder}/${name}.gs`, import.meta.url)).find(
    (url) => /^[a-z0-9_]+$/.test(name) && existsSync(url),
  );
  return found ?? null;
}

function runScript(name, file, transport, properties) {
  const run = { example: name, ok: true, logged: [], fetches: [] };
  const context = createContext(services({ transport, properties, run }));
  try {
    runInContext(readFileSync(file, "utf-8"), context, { filename: `${name}.gs` });
    runInContext("main()", context, { filename: `${name}.gs (main)` });
  } catch (e) {
    run.ok = false;
    run.error = { name: e?.name ?? null, message: String(e?.message ?? e) };
  }
  return run;
}

function main(names) {
  const files = names.map(scriptFile);
  if (names.length === 0 || files.includes(null)) {
    const unknown = names.filter((_, i) => files[i] === null);
    process.stderr.write(
      (unknown.length ? `unknown script(s): ${unknown.join(" ")}\n` : "") +
        "usage: node appsscript/run.mjs <name> [more names...] (examples/ or checks/<name>.gs)\n",
    );
    return 2;
  }
  const base = process.env.GOOGLE_GEMINI_BASE_URL;
  if (!base) {
    process.stderr.write("set GOOGLE_GEMINI_BASE_URL to the fake's URL\n");
    return 2;
  }
  const image = process.env.APPS_SCRIPT_IMAGE;
  const transport = new Transport({
    routes: {
      ...JSON.parse(process.env.APPS_SCRIPT_ROUTES ?? "{}"),
      [SERVICE]: new URL(base).origin,
    },
    files: image ? { [PLACEHOLDER_IMAGE]: image } : {},
  });
  const properties = {};
  if (process.env.GEMINI_API_KEY) {
    properties.GEMINI_API_KEY = process.env.GEMINI_API_KEY;
  }
  try {
    names.forEach((name, i) => {
      const run = runScript(name, files[i], transport, properties);
      process.stdout.write(JSON.stringify(run) + "\n");
    });
  } finally {
    transport.close();
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
