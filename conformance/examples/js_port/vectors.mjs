// Checks the port against the language-neutral vectors in conformance/vectors:
//
//   node vectors.mjs [path/to/conformance/vectors]
//
// Every case of sse_decoding.json, chat_history.json, box_math.json, mask_math.json,
// image_tokens.json and request_key.json (read with messages.json): one line per case, "pass  <id>" or
// "FAIL  <id>  <what differs>", then "N of M vectors pass"; the exit status is 1 if any
// failed. A file's header keys (format, description, pins) are not read: the sections are
// read by name.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Chat, curate } from "./chat.mjs";
import { ApiError, MalformedStreamError, RuleError, StreamInterruptedError } from "./errors.mjs";
import { canonical, requestKey, useTable } from "./key.mjs";
import { arrayElements, decodeEvents, geminiChunks } from "./sse.mjs";
import * as vision from "./vision.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

// Equal as JSON values: objects by their keys whatever the order, numbers by value.
export function same(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => same(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

const show = (v) => JSON.stringify(v)?.slice(0, 300);
const differs = (what, got, expected) =>
  same(got, expected) ? [] : [`${what}: got ${show(got)}, expected ${show(expected)}`];

// A rule's result, or the name of the error it raised.
function outcome(run) {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof RuleError) return { error: error.kind };
    return { error: `unexpected ${error.name}: ${error.message}` };
  }
}

function expectOutcome(c, key, run) {
  const got = outcome(run);
  if ("error" in c) return differs("error", got.error ?? { value: got.value }, c.error);
  if ("error" in got) return [`raised ${got.error}, expected ${key} ${show(c[key])}`];
  return differs(key, got.value, c[key]);
}

// --- event streams ------------------------------------------------------------------------

const bytesOf = (c) =>
  "input_base64" in c ? Buffer.from(c.input_base64, "base64") : Buffer.from(c.input, "utf8");

function feeds(data, splits) {
  const ways = {
    whole: [data],
    "byte by byte": Array.from(data, (_, i) => data.subarray(i, i + 1)),
  };
  if (splits) {
    const cuts = [0, ...splits, data.length];
    ways["at the splits"] = cuts.slice(1).map((end, i) => data.subarray(cuts[i], end));
  }
  return Object.entries(ways);
}

function checkEvents(c) {
  const { events, incomplete, last_event_id, retry } = c;
  const expected = { events, incomplete, last_event_id, retry };
  return feeds(bytesOf(c), c.splits).flatMap(([way, reads]) =>
    differs(way, decodeEvents(reads), expected),
  );
}

async function readChunks(reads) {
  const chunks = [];
  try {
    for await (const chunk of geminiChunks(reads)) chunks.push(chunk);
    return { chunks, end: "complete" };
  } catch (error) {
    if (error instanceof ApiError) {
      const envelope = { code: error.code, message: error.apiMessage, status: error.status };
      if (error.details.length > 0) envelope.details = error.details;
      return { chunks, end: "error", error: envelope };
    }
    if (error instanceof StreamInterruptedError) return { chunks, end: "interrupted" };
    if (error instanceof MalformedStreamError) return { chunks, end: "malformed" };
    throw error;
  }
}

async function checkChunks(c) {
  const expected = { chunks: c.chunks, end: c.end };
  if (c.end === "error") expected.error = c.error;
  const problems = [];
  for (const [way, reads] of feeds(bytesOf(c), c.splits)) {
    problems.push(...differs(way, await readChunks(reads), expected));
  }
  return problems;
}

async function checkArray(c) {
  const problems = [];
  for (const [way, reads] of feeds(bytesOf(c), c.splits)) {
    problems.push(...differs(way, await arrayElements(reads), c.elements));
  }
  return problems;
}

// --- chats ----------------------------------------------------------------------------------

function checkCurate(c) {
  return expectOutcome(c, "curated", () => curate(c.comprehensive));
}

// Answers each turn's request from the file's answers and streams, keeping what was sent.
function scripted(document, turns) {
  const copy = (v) => JSON.parse(JSON.stringify(v));
  const answers = Object.fromEntries(document.answers.map((a) => [a.name, a.response]));
  const streams = Object.fromEntries(document.streams.map((s) => [s.name, s.chunks]));
  const sends = [];
  let turn = 0;
  return {
    sends,
    async generate(contents) {
      sends.push(copy(contents));
      return copy(answers[turns[turn++].answer]);
    },
    async *stream(contents) {
      sends.push(copy(contents));
      yield* copy(streams[turns[turn++].answer]);
    },
  };
}

async function checkConversation(c, document) {
  const transport = scripted(document, c.turns);
  const chat = new Chat(transport, c.history ?? []);
  for (const turn of c.turns) {
    if (turn.stream) for await (const _ of chat.sendStream(turn.message));
    else await chat.send(turn.message);
  }
  return [
    ...differs("sends", transport.sends, c.sends),
    ...differs("comprehensive", chat.history(), c.comprehensive),
    ...differs("curated", chat.history({ curated: true }), c.curated),
  ];
}

// --- boxes, masks, tokens, request keys -----------------------------------------------------

const checks = {
  to_pixels: (c) => expectOutcome(c, "box", () => vision.toPixels(c.box_2d, c.width, c.height)),
  to_normalized: (c) =>
    expectOutcome(c, "box_2d", () => vision.toNormalized(c.box, c.width, c.height)),
  boxes_from_response: (c) =>
    expectOutcome(c, "boxes", () => vision.boxesFromResponse(c.text, c.width, c.height)),
  binarize: (c) => expectOutcome(c, "bits", () => vision.binarize(c.values, c.threshold)),
  decode_mask(c) {
    const got = outcome(() => vision.decodeMask(c.mask, c.box, c.threshold));
    if ("error" in c || "error" in got) return differs("error", got.error ?? got.value, c.error);
    return [
      ...differs("probabilities", got.value.probabilities, c.probabilities),
      ...differs("bits", got.value.bits, c.bits),
    ];
  },
  image_tokens(c) {
    const got = outcome(() => vision.imageTokens(c.width, c.height, c.model));
    if ("error" in c || "error" in got) return differs("error", got.error ?? got.value, c.error);
    const { unit, tiles, tokens } = c;
    return differs("unit, tiles, tokens", got.value, { unit, tiles, tokens });
  },
  request_key(c) {
    return [
      ...differs("canonical", canonical(c.rpc, c.model, c.request), c.canonical),
      ...differs("key", requestKey(c.rpc, c.model, c.request), c.key),
    ];
  },
};

// file, section, check(case, document)
export const SECTIONS = [
  ["sse_decoding.json", "events", checkEvents],
  ["sse_decoding.json", "chunks", checkChunks],
  ["sse_decoding.json", "arrays", checkArray],
  ["chat_history.json", "curate", checkCurate],
  ["chat_history.json", "conversations", checkConversation],
  ["box_math.json", "to_pixels", checks.to_pixels],
  ["box_math.json", "to_normalized", checks.to_normalized],
  ["box_math.json", "boxes_from_response", checks.boxes_from_response],
  ["mask_math.json", "binarize", checks.binarize],
  ["mask_math.json", "decode_mask", checks.decode_mask],
  ["image_tokens.json", "cases", checks.image_tokens],
  ["request_key.json", "vectors", checks.request_key],
];

async function main(argv) {
  const directory = resolve(argv[0] ?? join(HERE, "..", "..", "vectors"));
  // The message table the request key reads requests with, from the same directory.
  useTable(JSON.parse(readFileSync(join(directory, "messages.json"), "utf8")));
  const documents = {};
  let passed = 0;
  let total = 0;
  for (const [file, section, check] of SECTIONS) {
    documents[file] ??= JSON.parse(readFileSync(join(directory, file), "utf8"));
    const document = documents[file];
    const cases = document[section];
    if (!Array.isArray(cases)) {
      console.log(`FAIL  ${file.replace(".json", "")}/${section}  the section is missing`);
      total += 1;
      continue;
    }
    for (const [index, c] of cases.entries()) {
      const id = `${file.replace(".json", "")}/${section}/${c.name ?? index}`;
      let problems;
      try {
        problems = await check(c, document);
      } catch (error) {
        problems = [`crashed: ${error.stack ?? error}`];
      }
      total += 1;
      if (problems.length === 0) passed += 1;
      console.log(problems.length === 0 ? `pass  ${id}` : `FAIL  ${id}  ${problems.join("; ")}`);
    }
  }
  console.log(`${passed} of ${total} vectors pass`);
  return passed === total ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
