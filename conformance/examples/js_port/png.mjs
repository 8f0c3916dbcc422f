// A PNG decoder for the masks: 8-bit grayscale, not interlaced (what segmentation answers
// carry), with node:zlib for the image data. Anything else, or a damaged file, is invalid_mask.

import { inflateSync } from "node:zlib";
import { RuleError } from "./errors.mjs";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function invalid(why) {
  return new RuleError("invalid_mask", `not a usable PNG mask: ${why}`);
}

// PNG bytes -> { width, height, rows: [[0-255, ...], ...] }.
export function decodeGrayPng(bytes) {
  const png = Buffer.from(bytes);
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw invalid("no PNG signature");
  let offset = 8;
  let header = null;
  const data = [];
  let ended = false;
  while (!ended) {
    if (offset + 12 > png.length) throw invalid("truncated");
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) throw invalid(`truncated ${type} chunk`);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== png.readUInt32BE(end - 4)) {
      throw invalid(`bad CRC in ${type}`);
    }
    if (type === "IHDR") header = readHeader(body);
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") ended = true;
    offset = end;
  }
  if (header === null || data.length === 0) throw invalid("no IHDR or IDAT");
  let raw;
  try {
    raw = inflateSync(Buffer.concat(data));
  } catch (error) {
    throw invalid(`image data: ${error.message}`);
  }
  return { ...header, rows: unfilter(raw, header.width, header.height) };
}

function readHeader(body) {
  if (body.length !== 13) throw invalid("IHDR length");
  const width = body.readUInt32BE(0);
  const height = body.readUInt32BE(4);
  const [depth, colour, compression, filter, interlace] = body.subarray(8, 13);
  if (width === 0 || height === 0) throw invalid("empty image");
  if (depth !== 8 || colour !== 0) throw invalid("not 8-bit grayscale");
  if (compression !== 0 || filter !== 0 || interlace !== 0) throw invalid("unsupported layout");
  return { width, height };
}

// Undoes the per-row filters (None, Sub, Up, Average, Paeth) of one byte per pixel.
function unfilter(raw, width, height) {
  if (raw.length !== (width + 1) * height) throw invalid("image data of the wrong size");
  const rows = [];
  let previous = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const start = y * (width + 1);
    const kind = raw[start];
    const row = new Uint8Array(width);
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? row[x - 1] : 0;
      const b = previous[x];
      const c = x > 0 ? previous[x - 1] : 0;
      const value = raw[start + 1 + x];
      if (kind === 0) row[x] = value;
      else if (kind === 1) row[x] = value + a;
      else if (kind === 2) row[x] = value + b;
      else if (kind === 3) row[x] = value + ((a + b) >> 1);
      else if (kind === 4) row[x] = value + paeth(a, b, c);
      else throw invalid(`filter type ${kind}`);
    }
    rows.push(Array.from(row));
    previous = row;
  }
  return rows;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
