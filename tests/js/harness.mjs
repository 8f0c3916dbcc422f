// The command line the drivers share (guide.mjs, chats.mjs, images.mjs):
//
//   node <driver>.mjs <example-name> [more names...]
//
// prints one JSON line per example, {"example": name, "ok": true, ...what it gave} or
// {"example": name, "ok": false, "error": {"name", "status", "message"[, "cause"]}, ...what it
// gave before it failed}. The client is the guide's `new GoogleGenAI({})`: the API key and base
// URL come from GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL. The exit code is 0 even when
// examples fail, 2 for a usage error, 1 for a harness crash.

import { GoogleGenAI } from "@google/genai";

// JSON.stringify drops undefined values; keep the keys present as null.
export function nn(v) {
  return v === undefined ? null : v;
}

export function errorInfo(e) {
  if (e instanceof Error || (e && typeof e === "object")) {
    const info = { name: nn(e.name), status: nn(e.status), message: nn(e.message) };
    // e.g. undici's `TypeError: terminated`, caused by `SocketError: other side closed`
    const cause = e.cause;
    if (cause && typeof cause === "object") {
      info.cause = { name: nn(cause.name), code: nn(cause.code), message: nn(cause.message) };
    }
    return info;
  }
  return { name: null, status: null, message: String(e) };
}

// The common shape of an example: it returns { text, response }.
export async function textAndResponse(example, ai) {
  const { text, response } = await example(ai);
  return { text: nn(text), response: nn(response) };
}

// Runs the named examples. `run(example, ai, line)` returns the fields of a successful line;
// it may also write into `line` as it goes, so what it gave before failing is kept. An error
// with a `partial` (what a stream yielded before it failed) keeps it as `response`.
export function runExamples(script, examples, run = textAndResponse) {
  async function main(argv) {
    const unknown = argv.filter((n) => !Object.hasOwn(examples, n));
    if (argv.length === 0 || unknown.length > 0) {
      const which = unknown.length > 0 ? `unknown example(s): ${unknown.join(" ")}\n` : "";
      process.stderr.write(
        `${which}usage: node ${script} <example-name> [more names...]\n` +
          `examples: ${Object.keys(examples).join(" ")}\n`,
      );
      return 2;
    }
    const ai = new GoogleGenAI({});
    for (const name of argv) {
      const line = { example: name, ok: true };
      try {
        Object.assign(line, await run(examples[name], ai, line));
      } catch (e) {
        line.ok = false;
        line.error = errorInfo(e);
        if (e && e.partial !== undefined) {
          line.response = e.partial;
        }
      }
      process.stdout.write(JSON.stringify(line) + "\n");
    }
    return 0;
  }

  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${script} harness error: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
}
