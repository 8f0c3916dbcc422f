// The request key (docs/fixtures.md#the-request-key): a generate request's canonical form,
// the JSON text of [rpc, model, body], and the first 16 hex digits of its SHA-256.

import { createHash } from "node:crypto";

const DEFAULTS = {
  candidateCount: 1,
  responseMimeType: "text/plain",
  presencePenalty: 0,
  frequencyPenalty: 0,
  includeThoughts: false,
};
// Built-in tools are switched on by {}: never folded away.
const PRESENCE = new Set([
  "googleSearch",
  "googleSearchRetrieval",
  "codeExecution",
  "urlContext",
  "googleMaps",
  "computerUse",
  "fileSearch",
  "enterpriseWebSearch",
]);
// Values that are free-form JSON (google.protobuf.Struct / Value): their keys are data, not
// field names, and keep their spelling.
const FREE_FORM = new Set(["args", "response", "parametersJsonSchema", "responseJsonSchema"]);
// Maps from a name the caller chose to a message: the keys keep their spelling.
const NAME_MAPS = new Set(["properties"]);
// Volatile: the id the service gives a function call (and its response echoes).
const CALL_IDS = new Set(["functionCall", "functionResponse"]);
const BYTES = new Set(["data"]); // inlineData.data: standard base64 with padding
const FILE_NAME = /(files\/[a-z0-9-]+)$/;

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isEmpty = (v) =>
  Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0;

function standardBase64(text) {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}

// The shortest decimal with the same float32 value as v; whole values are integers.
export function float32(v) {
  if (Number.isInteger(v) || !Number.isFinite(v)) return v;
  const target = Math.fround(v);
  if (!Number.isFinite(target)) return v; // beyond float32: kept as it is
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(v.toPrecision(digits));
    if (Math.fround(shortest) === target) return shortest;
  }
  return target;
}

// Transcodes and folds one value. `free` is true inside free-form JSON.
function fold(value, parent, free) {
  if (Array.isArray(value)) return value.map((item) => fold(item, parent, free));
  if (typeof value === "number") return float32(value);
  if (!isObject(value)) return value;
  const folded = {};
  for (const [rawKey, rawItem] of Object.entries(value)) {
    const key = free || NAME_MAPS.has(parent) ? rawKey : camel(rawKey);
    const volatile = key === "thoughtSignature" || (key === "id" && CALL_IDS.has(parent));
    if (!free && volatile) continue;
    const inside = free || FREE_FORM.has(key);
    let item = fold(rawItem, NAME_MAPS.has(parent) ? "" : key, inside);
    if (!free && key === "fileUri" && typeof item === "string") {
      const named = FILE_NAME.exec(item);
      if (named) item = named[1];
    }
    if (!free && BYTES.has(key) && parent === "inlineData" && typeof item === "string") {
      item = standardBase64(item);
    }
    if (item === null || (isEmpty(item) && !(isObject(item) && PRESENCE.has(key)))) continue;
    if (!free && Object.hasOwn(DEFAULTS, key) && item === DEFAULTS[key]) continue;
    folded[key] = item;
  }
  return folded;
}

const plainText = (part) =>
  isObject(part) && Object.keys(part).length === 1 && typeof part.text === "string";

// The conversation as the model reads it: {"text": ""} parts dropped, turns left without parts
// dropped, a run of one role one turn, adjacent text-only parts one text.
function joinTurns(contents) {
  const turns = [];
  for (const content of contents) {
    if (!isObject(content)) continue;
    const parts = (content.parts ?? []).filter((p) => !(plainText(p) && p.text === ""));
    if (parts.length === 0) continue;
    const role = content.role ?? "user";
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else turns.push({ ...content, role, parts: [...parts] });
  }
  for (const turn of turns) {
    const joined = [];
    for (const part of turn.parts) {
      const previous = joined[joined.length - 1];
      if (plainText(part) && previous !== undefined && plainText(previous)) {
        joined[joined.length - 1] = { text: previous.text + part.text };
      } else joined.push(part);
    }
    turn.parts = joined;
  }
  return turns;
}

export function canonicalBody(request) {
  const body = fold(request, "", false);
  if (isObject(body.systemInstruction)) {
    delete body.systemInstruction.role;
    if (isEmpty(body.systemInstruction)) delete body.systemInstruction;
  }
  if (Array.isArray(body.contents)) {
    body.contents = joinTurns(body.contents);
    if (body.contents.length === 0) delete body.contents;
  }
  return body;
}

// Numbers as Python's json writes them: integers in full, other floats by their shortest
// repr, in exponent form below 1e-4 and from 1e16 on (1e-05, 1.5e+16).
function number(v) {
  if (Number.isInteger(v)) return BigInt(v).toString();
  const [digits, exp] = v.toExponential().split("e");
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    return `${digits}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(v);
}

const byCodePoint = (a, b) => {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

// JSON with keys sorted by code point, no spaces, non-ASCII characters as they are.
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number") return number(value);
  return JSON.stringify(value);
}

// rpc as in the URL (generateContent, streamGenerateContent), model as requested.
export function canonical(rpc, model, request) {
  const name = rpc.replace("stream", "").toLowerCase();
  return canonicalJson([name, model.replace(/^models\//, ""), canonicalBody(request)]);
}

export function requestKey(rpc, model, request) {
  const text = canonical(rpc, model, request);
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}
