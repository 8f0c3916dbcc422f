// Event streams (WHATWG HTML, "Interpreting an event stream") and the two Gemini stream forms:
// alt=sse (one JSON object per event) and the JSON array (no alt). docs/protocol.md#streaming.

import { ApiError, MalformedStreamError, StreamInterruptedError } from "./errors.mjs";

// Bytes in, events out. UTF-8 is decoded by the Encoding standard's decoder in streaming mode,
// so a character cut between two reads comes out whole, each invalid sequence is one U+FFFD,
// and one leading byte order mark is skipped.
export class EventStreamDecoder {
  constructor() {
    this.utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
    this.events = []; // dispatched, not yet taken
    this.lastEventId = "";
    this.retry = null;
    this.line = "";
    this.afterCR = false; // the last character was CR: a LF right after it is skipped
    this.data = "";
    this.type = "";
    this.id = "";
    this.pending = false; // a field line was read since the last blank line
  }

  // Feeds one read; returns the events it completed.
  feed(bytes) {
    this.chars(this.utf8.decode(bytes, { stream: true }));
    return this.take();
  }

  // The end of the stream: returns the events still to come and whether the stream ended
  // inside an event (field lines after the last blank line, or a line without its ending).
  close() {
    this.chars(this.utf8.decode());
    const incomplete = this.pending || this.line !== "";
    return { events: this.take(), incomplete };
  }

  take() {
    const events = this.events;
    this.events = [];
    return events;
  }

  chars(text) {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== "\r" && c !== "\n") continue;
      if (this.afterCR && c === "\n" && i === start && this.line === "") {
        this.afterCR = false; // the LF of a CRLF whose CR ended the previous line
        start = i + 1;
        continue;
      }
      this.endLine(this.line + text.slice(start, i));
      this.line = "";
      this.afterCR = c === "\r";
      start = i + 1;
    }
    if (start < text.length) {
      this.line += text.slice(start);
      this.afterCR = false;
    }
  }

  endLine(line) {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return; // a comment
    this.pending = true;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.data += value + "\n";
    else if (name === "event") this.type = value;
    else if (name === "id" && !value.includes("\0")) this.id = value;
    else if (name === "retry" && /^[0-9]+$/.test(value)) this.retry = Number(value);
  }

  dispatch() {
    this.lastEventId = this.id;
    this.pending = false;
    if (this.data === "") {
      this.type = "";
      return;
    }
    const data = this.data.endsWith("\n") ? this.data.slice(0, -1) : this.data;
    this.events.push({ data, event: this.type || "message", id: this.id });
    this.data = "";
    this.type = "";
  }
}

// Decodes a whole stream given as a list of reads (the vectors' three ways of feeding it).
export function decodeEvents(reads) {
  const decoder = new EventStreamDecoder();
  const events = [];
  for (const read of reads) events.push(...decoder.feed(read));
  const end = decoder.close();
  events.push(...end.events);
  return {
    events,
    incomplete: end.incomplete,
    last_event_id: decoder.lastEventId,
    retry: decoder.retry,
  };
}

// One event's data as a Gemini chunk: a JSON object; {"error": {...}} with an integer code is
// the API error the stream ends with; anything else is a malformed stream.
function chunkOf(data) {
  let value;
  try {
    value = JSON.parse(data);
  } catch {
    throw new MalformedStreamError(`an event is not JSON: ${data.slice(0, 60)}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedStreamError(`an event is not a JSON object: ${data.slice(0, 60)}`);
  }
  if (Object.hasOwn(value, "error")) {
    const error = value.error;
    if (error === null || typeof error !== "object" || !Number.isInteger(error.code)) {
      throw new MalformedStreamError("an error event without an integer code");
    }
    throw ApiError.fromEnvelope(error);
  }
  return value;
}

// An alt=sse body (any iterable or async iterable of Uint8Array reads) -> its chunks, in order.
// Throws ApiError for an error event, StreamInterruptedError when the body ends inside an
// event, MalformedStreamError for an event that is not a chunk.
export async function* geminiChunks(reads) {
  const decoder = new EventStreamDecoder();
  for await (const read of reads) {
    for (const event of decoder.feed(read)) yield chunkOf(event.data);
  }
  const end = decoder.close();
  for (const event of end.events) yield chunkOf(event.data);
  if (end.incomplete) throw new StreamInterruptedError("the stream ended inside an event");
}

// A JSON-array stream (no alt parameter) -> its elements. The array is read whole: its
// elements are pretty-printed JSON separated by "\n,\r\n".
export async function arrayElements(reads) {
  const utf8 = new TextDecoder("utf-8");
  let text = "";
  for await (const read of reads) text += utf8.decode(read, { stream: true });
  text += utf8.decode();
  const value = JSON.parse(text);
  if (!Array.isArray(value)) throw new MalformedStreamError("the body is not a JSON array");
  return value;
}
