// Boxes, masks and image tokens (docs/images.md): box_2d <-> pixels in exact arithmetic, the
// segmentation masks (base64 PNG -> resized -> binarised) and the guide's image token rule.

import { RuleError } from "./errors.mjs";
import { decodeGrayPng } from "./png.mjs";

export const DEFAULT_THRESHOLD = 127;
export const TILE_TOKENS = 258;

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

function checkSize(width, height) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RuleError("invalid_size", `width and height must be positive integers`);
  }
}

// A finite double as an exact fraction num / den (den a power of two), both BigInt.
function exact(value) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  if (exponent !== 0) mantissa |= 1n << 52n;
  const power = (exponent === 0 ? 1 : exponent) - 1075; // value = mantissa * 2^power
  if (power >= 0) return [sign * (mantissa << BigInt(power)), 1n];
  return [sign * mantissa, 1n << BigInt(-power)];
}

// floor(v * size / 1000) for 0 <= v <= 1000, exactly.
function edge(v, size) {
  const [num, den] = exact(v);
  return Number((num * BigInt(size)) / (den * 1000n));
}

// box_2d [ymin, xmin, ymax, xmax] in the 0-1000 frame -> pixel box [x1, y1, x2, y2].
export function toPixels(box2d, width, height) {
  checkSize(width, height);
  if (!Array.isArray(box2d) || box2d.length !== 4 || !box2d.every(isNumber)) {
    throw new RuleError("invalid_box", "box_2d must be four finite numbers");
  }
  const [ymin, xmin, ymax, xmax] = box2d;
  if (!box2d.every((v) => v >= 0 && v <= 1000) || !(ymin < ymax) || !(xmin < xmax)) {
    throw new RuleError("invalid_box", "box_2d must lie in 0-1000 with min < max");
  }
  return [edge(xmin, width), edge(ymin, height), edge(xmax, width), edge(ymax, height)];
}

// ceil(1000 * p / size) for integers 0 <= p <= size.
function normalizedEdge(p, size) {
  const num = 1000n * BigInt(p);
  const den = BigInt(size);
  return Number((num + den - 1n) / den);
}

// Pixel box [x1, y1, x2, y2] -> box_2d [ymin, xmin, ymax, xmax].
export function toNormalized(box, width, height) {
  checkSize(width, height);
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isInteger(v))) {
    throw new RuleError("invalid_box", "a pixel box is four integers");
  }
  const [x1, y1, x2, y2] = box;
  if (!(x1 >= 0 && x1 <= x2 && x2 <= width && y1 >= 0 && y1 <= y2 && y2 <= height)) {
    throw new RuleError("invalid_box", "the pixel box must lie inside the image");
  }
  return [
    normalizedEdge(y1, height),
    normalizedEdge(x1, width),
    normalizedEdge(y2, height),
    normalizedEdge(x2, width),
  ];
}

// The JSON of a detection answer, fenced (```json ... ```) or not.
export function parseAnswerJson(text) {
  const fence = text.indexOf("```");
  let body = text;
  if (fence >= 0) {
    const start = text.indexOf("\n", fence);
    const close = text.indexOf("```", start);
    body = text.slice(start + 1, close < 0 ? undefined : close);
  }
  return JSON.parse(body);
}

// A detection answer -> [{box, label}], skipping entries without a valid, non-empty box.
export function boxesFromResponse(text, width, height) {
  checkSize(width, height);
  const found = parseAnswerJson(text);
  const boxes = [];
  for (const entry of Array.isArray(found) ? found : []) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) continue;
    let box;
    try {
      box = toPixels(entry.box_2d, width, height);
    } catch (error) {
      if (error instanceof RuleError && error.kind === "invalid_box") continue;
      throw error;
    }
    if (box[2] <= box[0] || box[3] <= box[1]) continue; // empty in pixels
    boxes.push({ box, label: entry.label });
  }
  return boxes;
}

// The prompt tokens of one image: {unit (null for one tile), tiles, tokens}.
export function imageTokens(width, height, model) {
  checkSize(width, height);
  const name = String(model).replace(/^models\//, "");
  const family = /^gemini-(1\.5|2\.0|2\.5)-/.exec(name);
  if (family === null) throw new RuleError("unsupported_model", `no token rule for ${model}`);
  if (width <= 384 && height <= 384) return { unit: null, tiles: 1, tokens: TILE_TOKENS };
  let unit = Math.max(1, Math.floor(Math.min(width, height) / 1.5));
  if (family[1] === "1.5") unit = Math.min(768, Math.max(256, unit));
  const tiles = Math.ceil(width / unit) * Math.ceil(height / unit);
  return { unit, tiles, tokens: TILE_TOKENS * tiles };
}

// A probability map -> rows of "0"/"1": in when value > threshold (strictly).
export function binarize(values, threshold = DEFAULT_THRESHOLD) {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw new RuleError("invalid_threshold", "the threshold is an integer 0-255");
  }
  return values.map((row) => row.map((v) => (v > threshold ? "1" : "0")).join(""));
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function maskBytes(mask) {
  if (typeof mask !== "string") throw new RuleError("invalid_mask", "a mask is a string");
  let text = mask;
  if (text.startsWith("data:")) {
    const prefix = "data:image/png;base64,";
    if (!text.startsWith(prefix)) throw new RuleError("invalid_mask", "not a PNG data URL");
    text = text.slice(prefix.length);
  }
  if (!BASE64.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    throw new RuleError("invalid_mask", "not base64");
  }
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

// A segmentation mask for a pixel box -> {probabilities, bits}.
export function decodeMask(mask, box, threshold = DEFAULT_THRESHOLD) {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isInteger(v))) {
    throw new RuleError("invalid_box", "a pixel box is four integers");
  }
  const [x1, y1, x2, y2] = box;
  if (x2 <= x1 || y2 <= y1) throw new RuleError("invalid_box", "the box is empty");
  const image = decodeGrayPng(maskBytes(mask));
  const probabilities = resizeBilinear(image.rows, x2 - x1, y2 - y1);
  return { probabilities, bits: binarize(probabilities, threshold) };
}

// Pillow's bilinear resize of an 8-bit map (a triangle filter widened by the scale when
// shrinking, 22-bit fixed-point weights), one axis after the other.
export function resizeBilinear(rows, width, height) {
  let out = rows;
  if (rows[0].length !== width) out = out.map((row) => resample(row, width));
  if (rows.length !== height) {
    const columns = transpose(out).map((column) => resample(column, height));
    out = transpose(columns);
  }
  return out;
}

const PRECISION = 22;

function resample(line, size) {
  const scale = line.length / size;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const result = [];
  for (let i = 0; i < size; i++) {
    const center = (i + 0.5) * scale;
    const from = Math.max(Math.trunc(center - support + 0.5), 0);
    const to = Math.min(Math.trunc(center + support + 0.5), line.length);
    const weights = [];
    let total = 0;
    for (let x = from; x < to; x++) {
      const d = Math.abs((x - center + 0.5) / filterScale);
      const w = d < 1 ? 1 - d : 0;
      weights.push(w);
      total += w;
    }
    let sum = 1 << (PRECISION - 1);
    weights.forEach((w, k) => {
      const normal = total === 0 ? 0 : w / total;
      const scaled = normal * (1 << PRECISION);
      const fixed = Math.trunc(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
      sum += line[from + k] * fixed;
    });
    result.push(Math.min(255, Math.max(0, Math.floor(sum / (1 << PRECISION)))));
  }
  return result;
}

function transpose(rows) {
  return rows[0].map((_, x) => rows.map((row) => row[x]));
}
