// Batches through the JS SDK (tests/compat/test_batches_js_sdk.py checks the lines):
//
//   node batches.mjs inline file list cancel_delete missing_model
//
// inline:        ai.batches.create with inline requests, polled with ai.batches.get while the
//                fake's clock moves (POST /__fake__/clock), its inlined responses read
// file:          a JSONL file uploaded with ai.files.upload, a batch of it, its result file
//                fetched with ai.files.download (which follows the service's redirect)
// list:          three batches, listed through the pager two a page
// cancel_delete: cancel, get, delete, and the get that follows
// missing_model: a model that does not batch

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { nn, runExamples } from "./harness.mjs";

const MODEL = "gemini-2.5-flash";
const QUESTION = "How does AI work?";
const DONE = ["JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"];

const INLINE = [
  { contents: [{ role: "user", parts: [{ text: QUESTION }] }], metadata: { key: "a" } },
  { contents: QUESTION, config: { temperature: 5 }, metadata: { key: "b" } },
  { contents: QUESTION, config: { systemInstruction: "Be brief.", temperature: 0.5 }, metadata: { key: "c" } },
];

// Moves the fake's clock, as a test would instead of sleeping.
async function advance(seconds) {
  const base = process.env.GOOGLE_GEMINI_BASE_URL.replace(/\/$/, "");
  const response = await fetch(`${base}/__fake__/clock`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": process.env.GEMINI_API_KEY },
    body: JSON.stringify({ advance: seconds }),
  });
  if (!response.ok) throw new Error(`clock: ${response.status}`);
}

async function wait(ai, name) {
  let job = await ai.batches.get({ name });
  while (!DONE.includes(job.state)) {
    await advance(30);
    job = await ai.batches.get({ name });
  }
  return job;
}

function textOf(response) {
  const parts = response.candidates[0].content.parts;
  return parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text).join("");
}

function job(j) {
  return {
    name: nn(j.name),
    state: nn(j.state),
    displayName: nn(j.displayName),
    model: nn(j.model),
    createTime: nn(j.createTime),
    endTime: nn(j.endTime),
  };
}

const EXAMPLES = {
  inline: async (ai) => {
    const created = await ai.batches.create({ model: MODEL, src: INLINE, config: { displayName: "inline-js" } });
    await advance(60);
    const running = await ai.batches.get({ name: created.name });
    const done = await wait(ai, created.name);
    const direct = await ai.models.generateContent({ model: MODEL, contents: QUESTION });
    return {
      created: job(created),
      running: running.state,
      done: job(done),
      answers: done.dest.inlinedResponses.map((r) => ({
        metadata: nn(r.metadata),
        text: r.response ? textOf(r.response) : null, // a plain object here: no .text getter
        error: nn(r.error),
      })),
      direct: direct.text,
    };
  },
  file: async (ai) => {
    const lines = [
      { key: "q1", request: { contents: [{ parts: [{ text: QUESTION }] }] } },
      { key: "q2", request: { contents: [] } },
    ];
    const blob = new Blob([lines.map((l) => JSON.stringify(l) + "\n").join("")], { type: "jsonl" });
    const source = await ai.files.upload({ file: blob, config: { displayName: "requests", mimeType: "jsonl" } });
    const created = await ai.batches.create({ model: MODEL, src: source.name });
    const done = await wait(ai, created.name);
    const result = await ai.files.get({ name: done.dest.fileName });
    const path = join(mkdtempSync(join(tmpdir(), "batches-")), "results.jsonl");
    await ai.files.download({ file: done.dest.fileName, downloadPath: path });
    const downloaded = readFileSync(path, "utf8");
    return {
      done: job(done),
      fileName: done.dest.fileName,
      result: { source: nn(result.source), downloadUri: nn(result.downloadUri), mimeType: nn(result.mimeType) },
      lines: downloaded.split("\n").filter((l) => l).map((l) => JSON.parse(l)),
    };
  },
  list: async (ai) => {
    const names = [];
    for (let i = 0; i < 3; i++) {
      names.push((await ai.batches.create({ model: MODEL, src: INLINE })).name);
    }
    const listed = [];
    for await (const j of await ai.batches.list({ config: { pageSize: 2 } })) {
      listed.push(j.name);
    }
    return { names, listed };
  },
  cancel_delete: async (ai, line) => {
    const created = await ai.batches.create({ model: MODEL, src: INLINE });
    await ai.batches.cancel({ name: created.name });
    line.cancelled = job(await ai.batches.get({ name: created.name }));
    await ai.batches.delete({ name: created.name });
    await ai.batches.get({ name: created.name }); // fails: the line has the error
    return {};
  },
  missing_model: async (ai) => {
    await ai.batches.create({ model: "gemini-1.5-flash", src: INLINE });
    return {};
  },
};

runExamples("batches.mjs", EXAMPLES, (example, ai, line) => example(ai, line));
