// The request key (docs/fixtures.md#the-request-key): a generate request's canonical form,
// the JSON text of [rpc, model, body], and the first 16 hex digits of its SHA-256. The body is
// read field by field with the message table (conformance/vectors/messages.json).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

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
// Volatile: the id the service gives a function call (and its response echoes).
const CALL_IDS = new Set(["FunctionCall", "FunctionResponse"]);
const DATA = new Set(["struct", "value"]); // the caller's JSON: kept as sent
const INTEGERS = new Set(["int32", "int64", "count"]);
const FILE_NAME = /(files\/[a-z0-9-]+)$/;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isEmpty = (v) =>
  Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0;

// The message table (conformance/vectors/messages.json): each message's fields and their kinds,
// each enum's values in order. Read beside this port unless useTable gives another copy.
let table = null;

const snake = (name) => name.replace(/(?<!^)(?=[A-Z])/g, "_").toLowerCase();

export function useTable(document) {
  const spellings = {};
  for (const [message, fields] of Object.entries(document.messages)) {
    spellings[message] = {};
    for (const [name, kind] of Object.entries(fields)) {
      spellings[message][name] = [name, kind];
      spellings[message][snake(name)] = [name, kind];
    }
  }
  table = { enums: document.enums, spellings };
}

function messages() {
  if (table === null) {
    const path = new URL("../../vectors/messages.json", import.meta.url);
    useTable(JSON.parse(readFileSync(path, "utf8")));
  }
  return table;
}

function standardBase64(text) {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}

// A finite positive double as an exact fraction [numerator, denominator] of BigInts.
function exactFraction(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  return exponent >= 0 ? [mantissa << BigInt(exponent), 1n] : [mantissa, 1n << BigInt(-exponent)];
}

// x rounded to `digits` significant digits, exactly, ties to even (as Python's format(x, ".Ng");
// toPrecision rounds ties up): the double nearest that decimal.
function roundDigits(x, digits) {
  if (x === 0) return 0;
  const [num, den] = exactFraction(Math.abs(x));
  const power = (e) => (e >= 0 ? [10n ** BigInt(e), 1n] : [1n, 10n ** BigInt(-e)]);
  const atLeast = (e) => {
    const [a, b] = power(e);
    return num * b >= a * den; // x >= 10^e
  };
  let exponent = Number(Math.abs(x).toExponential().split("e")[1]);
  while (!atLeast(exponent)) exponent -= 1;
  while (atLeast(exponent + 1)) exponent += 1;
  const scale = digits - 1 - exponent; // the decimal is n * 10^-scale
  const [a, b] = scale >= 0 ? [num * 10n ** BigInt(scale), den] : [num, den * 10n ** BigInt(-scale)];
  let n = a / b;
  const twice = 2n * (a - n * b);
  if (twice > b || (twice === b && n % 2n === 1n)) n += 1n;
  const value = Number(`${n}e${-scale}`);
  return x < 0 ? -value : value;
}

// The shortest decimal with v's float32 value: the float32 value rounded to 1, 2, ... 9
// significant digits, the first that has the same float32 value.
export function float32(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return v;
  const single = Math.fround(v);
  if (!Number.isFinite(single)) return v; // beyond float32: kept as it is
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = roundDigits(single, digits);
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

// Reads one value as the service does (docs/messages.md#reading-a-field): names by the table,
// null fields left out, a lone value as a list of one, enums by name in upper case (or by
// number), numbers sent as strings as numbers, either base64 alphabet as standard base64.
function transcode(value, kind) {
  if (DATA.has(kind)) return value;
  if (kind.endsWith("[]")) {
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => transcode(item, kind.slice(0, -2)));
  }
  if (kind.startsWith("map:")) {
    const entries = Object.entries(value).map(([k, v]) => [k, transcode(v, kind.slice(4))]);
    return Object.fromEntries(entries);
  }
  if (kind.startsWith("enum:")) {
    const names = messages().enums[kind.slice(5)];
    return typeof value === "number" ? names[value] : value.toUpperCase();
  }
  const fields = messages().spellings[kind];
  if (fields !== undefined) {
    const out = {};
    for (const [name, item] of Object.entries(value)) {
      const field = fields[name];
      if (field === undefined) throw new Error(`unknown field ${name} in ${kind}`);
      if (item !== null) out[field[0]] = transcode(item, field[1]);
    }
    return out;
  }
  if (kind === "bytes") return standardBase64(value);
  const numeric = INTEGERS.has(kind) || kind === "float" || kind === "double";
  if (numeric && typeof value === "string") return Number(value); // read through a double
  return value;
}

// Folds a transcoded value of the given kind (docs/fixtures.md#the-request-key).
function fold(value, kind) {
  if (DATA.has(kind)) return value; // every key, null, {} and []; its numbers are doubles
  if (Array.isArray(value)) return value.map((item) => fold(item, kind.replace(/\[\]$/, "")));
  if (kind.startsWith("map:")) {
    const entries = Object.entries(value).map(([k, v]) => [k, fold(v, kind.slice(4))]);
    return Object.fromEntries(entries); // the caller's names: every entry kept
  }
  if (isObject(value)) return foldMessage(value, kind);
  if (kind === "float") return float32(value);
  return value;
}

function foldMessage(value, message) {
  const fields = messages().spellings[message];
  const folded = {};
  for (const [key, raw] of Object.entries(value)) {
    if (key === "thoughtSignature" || (key === "id" && CALL_IDS.has(message))) continue;
    let item = fold(raw, fields[key][1]);
    if (key === "fileUri" && typeof item === "string") {
      const named = FILE_NAME.exec(item);
      if (named) item = named[1];
    }
    if (isEmpty(item) && !(isObject(item) && PRESENCE.has(key))) continue;
    if (Object.hasOwn(DEFAULTS, key) && item === DEFAULTS[key]) continue;
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
    const role = content.role || "user";
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
  const body = fold(transcode(request, "GenerateContentRequest"), "GenerateContentRequest");
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
