// The Apps Script services the guide's Apps Script examples call, for running them in node:
// UrlFetchApp.fetch (synchronous, over ./transport.mjs) and the HTTPResponse it returns, the
// Blob of its body, Utilities.base64Encode, PropertiesService's script properties, console and
// Logger. What is not emulated is listed in ../APPS_SCRIPT.md.
//
// The behaviour follows the Apps Script reference (developers.google.com/apps-script/reference:
// url-fetch/url-fetch-app, url-fetch/http-response, base/blob, utilities/utilities); the
// exceptions a fetch throws, and where their messages come from, are in ../APPS_SCRIPT.md.

import { format } from "node:util";

// The User-Agent UrlFetchApp sends (the URL Fetch Service reference), with this shim's id.
export const SCRIPT_ID = "gemini-ref-apps-script-shim";
export const USER_AGENT =
  "Mozilla/5.0 (compatible; Google-Apps-Script; beanserver; +https://script.google.com; " +
  `id: ${SCRIPT_ID})`;
// A failed fetch's exception quotes this many characters of the body, then "...".
export const TRUNCATED_AT = 147;
const METHODS = new Set(["GET", "DELETE", "PATCH", "POST", "PUT"]);

// What Apps Script throws from its services: `Exception: <message>` in the execution log.
export class Exception extends Error {
  get name() {
    return "Exception";
  }
}

// Java bytes, as Apps Script hands them to scripts: numbers from -128 to 127.
function signedBytes(bytes) {
  return Array.from(bytes, (b) => (b << 24) >> 24);
}

function unsignedBytes(values) {
  return Uint8Array.from(values, (b) => b & 0xff);
}

export class Blob {
  constructor(bytes, contentType = null, name = null) {
    this.bytes = Uint8Array.from(bytes);
    this.contentType = contentType;
    this.name = name;
  }

  getBytes() {
    return signedBytes(this.bytes);
  }

  getContentType() {
    return this.contentType;
  }

  getDataAsString(charset = "utf-8") {
    return new TextDecoder(charset).decode(this.bytes);
  }

  getName() {
    return this.name;
  }
}

export class HTTPResponse {
  constructor({ status, headers, body }) {
    this.status = status;
    this.headerPairs = headers; // [[name, value]...], as received
    this.body = body;
  }

  getResponseCode() {
    return this.status;
  }

  getContent() {
    return signedBytes(this.body);
  }

  getContentText(charset = "utf-8") {
    return new TextDecoder(charset).decode(this.body);
  }

  // Scripts write `JSON.parse(response)`, the guide's examples too: the response reads as its
  // text.
  toString() {
    return this.getContentText();
  }

  // One value per name: the first received (getAllHeaders has them all).
  getHeaders() {
    const headers = {};
    for (const [name, value] of this.headerPairs) {
      if (!Object.hasOwn(headers, name)) {
        headers[name] = value;
      }
    }
    return headers;
  }

  // A name sent more than once maps to an array of its values.
  getAllHeaders() {
    const headers = {};
    for (const [name, value] of this.headerPairs) {
      if (!Object.hasOwn(headers, name)) {
        headers[name] = value;
      } else {
        headers[name] = [].concat(headers[name], value);
      }
    }
    return headers;
  }

  header(name) {
    const pair = this.headerPairs.find(([n]) => n.toLowerCase() === name.toLowerCase());
    return pair === undefined ? null : pair[1];
  }

  getBlob() {
    return new Blob(this.body, this.header("Content-Type"));
  }
}

// The body and its Content-Type, as UrlFetchApp makes them from `payload` and `contentType`:
// a string (UTF-8), a byte array, a Blob, or an object read as form fields.
function requestBody(payload, contentType) {
  if (payload === undefined || payload === null) {
    return { body: undefined, type: contentType };
  }
  const form = "application/x-www-form-urlencoded";
  if (typeof payload === "string") {
    return { body: new TextEncoder().encode(payload), type: contentType ?? form };
  }
  if (Array.isArray(payload)) {
    return { body: unsignedBytes(payload), type: contentType ?? form };
  }
  if (payload instanceof Blob) {
    return { body: payload.bytes, type: contentType ?? payload.getContentType() ?? form };
  }
  const fields = Object.entries(payload);
  if (fields.some(([, value]) => value instanceof Blob)) {
    throw new Error("a form payload with a Blob (multipart/form-data) is not emulated");
  }
  const encoded = new URLSearchParams(fields.map(([k, v]) => [k, String(v)])).toString();
  return { body: new TextEncoder().encode(encoded), type: contentType ?? form };
}

// A connection that fails or times out throws what Apps Script throws (as scripts quote it);
// a URL the transport has no route for is this shim's refusal, not an Apps Script error.
function sender(transport) {
  return (url, request) => {
    try {
      return transport.send({ url, ...request });
    } catch (e) {
      if (e.kind === "timeout") {
        throw new Exception(`Timeout: ${url}`);
      }
      if (e.kind === "network") {
        throw new Exception(`Address unavailable: ${url}`);
      }
      throw e;
    }
  };
}

function failure(url, response) {
  const text = response.getContentText();
  const quoted = text.length > TRUNCATED_AT ? `${text.slice(0, TRUNCATED_AT)}...` : text;
  const { protocol, host } = new URL(url);
  return new Exception(
    `Request failed for ${protocol}//${host} returned code ${response.getResponseCode()}. ` +
      `Truncated server response: ${quoted} ` +
      "(use muteHttpExceptions option to examine full response)",
  );
}

// Apps Script's global services for one script run. `transport` sends the requests
// (./transport.mjs), `properties` are the script properties; what the script logs and fetches
// is appended to `run.logged` and `run.fetches`.
export function services({ transport, properties, run }) {
  const send = sender(transport);

  function log(via, level, text) {
    run.logged.push({ via, level, text });
  }

  function fetch(url, params = {}) {
    const method = String(params.method ?? "get").toUpperCase();
    if (!METHODS.has(method)) {
      throw new Exception(`Invalid argument: method ${params.method}`);
    }
    const given = Object.entries(params.headers ?? {});
    const headers = given.some(([name]) => name.toLowerCase() === "user-agent")
      ? {}
      : { "User-Agent": USER_AGENT };
    for (const [name, value] of given) {
      headers[name] = String(value);
    }
    const { body, type } = requestBody(params.payload, params.contentType);
    if (type !== undefined) {
      headers["Content-Type"] = type;
    }
    const record = { url, method, contentType: type ?? null };
    run.fetches.push(record);
    const response = new HTTPResponse(send(url, { method, headers, body }));
    record.status = response.getResponseCode();
    record.responseType = response.header("Content-Type");
    record.size = response.body.length;
    if (!params.muteHttpExceptions && response.getResponseCode() >= 400) {
      throw failure(url, response);
    }
    return response;
  }

  const scriptProperties = {
    getProperty(key) {
      return Object.hasOwn(properties, key) ? properties[key] : null;
    },
  };

  return {
    UrlFetchApp: { fetch },
    PropertiesService: { getScriptProperties: () => scriptProperties },
    Utilities: {
      base64Encode(data, charset = "utf-8") {
        const bytes =
          typeof data === "string" ? Buffer.from(data, charset) : Buffer.from(unsignedBytes(data));
        return bytes.toString("base64");
      },
    },
    Logger: {
      // Logger.log(data) or Logger.log(format, values...): each %s takes the next value.
      log(data, ...values) {
        let text = String(data);
        for (const value of values) {
          text = text.replace("%s", String(value));
        }
        log("Logger.log", "INFO", text);
      },
    },
    console: {
      log: (...args) => log("console.log", "INFO", format(...args)),
      info: (...args) => log("console.info", "INFO", format(...args)),
      warn: (...args) => log("console.warn", "WARNING", format(...args)),
      error: (...args) => log("console.error", "ERROR", format(...args)),
    },
  };
}
