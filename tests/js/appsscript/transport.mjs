// The HTTP under the shim's UrlFetchApp.fetch, which is synchronous as in Apps Script.
//
// A worker thread owns the sockets. The script's thread posts a request on a MessageChannel,
// blocks in Atomics.wait until the worker raises a flag, then takes the answer off the port
// with receiveMessageOnPort: the script's thread never returns to its event loop, just as an
// Apps Script function never yields while UrlFetchApp.fetch runs.
//
// Requests go only to loopback. `routes` maps an origin the scripts name to the origin that
// answers for it (the service's host to the fake); `files` maps a whole URL to a local file,
// served by a small HTTP server in the worker (the guide's placeholder image URL). A URL that
// neither names gets no request: the fetch throws.

import { readFileSync } from "node:fs";
import * as http from "node:http";
import { extname } from "node:path";
import {
  MessageChannel,
  Worker,
  isMainThread,
  parentPort,
  receiveMessageOnPort,
  workerData,
} from "node:worker_threads";

// Apps Script gives up on a fetch after about a minute.
export const FETCH_TIMEOUT_MS = 60_000;
const MEDIA_TYPES = { ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png" };

// --- the script's side ------------------------------------------------------------------------

export class Transport {
  // `routes`: {origin: "http://127.0.0.1:port"}; `files`: {url: path}.
  constructor({ routes, files }) {
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL(import.meta.url), {
      workerData: { flag: this.flag, port: port2, routes, files },
      transferList: [port2],
    });
    this.worker.unref();
    this.nextId = 1;
  }

  // {status, headers: [[name, value]...] as received, body: Uint8Array}, or throws the
  // worker's error ({kind: "route" | "network" | "timeout", message}).
  send(request) {
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage({ id, ...request });
    // The worker answers within FETCH_TIMEOUT_MS; the margin covers its own start.
    const woke = Atomics.wait(this.flag, 0, 0, FETCH_TIMEOUT_MS + 30_000);
    const received = receiveMessageOnPort(this.port);
    if (woke === "timed-out" || received === undefined || received.message.id !== id) {
      throw new Error(`the fetch worker did not answer request ${id} (${woke})`);
    }
    const { error, response } = received.message;
    if (error) {
      throw Object.assign(new Error(error.message), { kind: error.kind });
    }
    return response;
  }

  close() {
    return this.worker.terminate();
  }
}

// --- the worker's side ------------------------------------------------------------------------

function serveFiles(files) {
  // One loopback server for every file URL; the answer is the file, typed by its extension.
  const byPath = new Map();
  for (const [url, path] of Object.entries(files)) {
    const { pathname, search } = new URL(url);
    byPath.set(pathname + search, path);
  }
  const server = http.createServer((req, res) => {
    const path = byPath.get(req.url);
    if (path === undefined || req.method !== "GET") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
      return;
    }
    const body = readFileSync(path);
    const type = MEDIA_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Content-Length": body.length }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

async function routing({ routes, files }) {
  const table = new Map(Object.entries(routes));
  if (Object.keys(files).length > 0) {
    const origin = await serveFiles(files);
    for (const url of Object.keys(files)) {
      table.set(new URL(url).origin, origin);
    }
  }
  return table;
}

function loopbackUrl(table, url) {
  const parsed = new URL(url);
  const target = table.get(parsed.origin);
  if (target === undefined) {
    throw Object.assign(new Error(`no route for ${parsed.origin} (loopback only)`), {
      kind: "route",
    });
  }
  return new URL(parsed.pathname + parsed.search, target);
}

function exchange(target, { method, headers, body }) {
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method, headers, timeout: FETCH_TIMEOUT_MS });
    request.on("timeout", () => {
      request.destroy(Object.assign(new Error("Timeout"), { kind: "timeout" }));
    });
    request.on("error", (e) => reject(e.kind ? e : Object.assign(e, { kind: "network" })));
    request.on("response", (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", (e) => reject(Object.assign(e, { kind: "network" })));
      response.on("end", () => {
        const pairs = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          pairs.push([response.rawHeaders[i], response.rawHeaders[i + 1]]);
        }
        resolve({
          status: response.statusCode,
          headers: pairs,
          body: new Uint8Array(Buffer.concat(chunks)),
        });
      });
    });
    request.end(body === undefined ? undefined : Buffer.from(body));
  });
}

function runWorker() {
  const { flag, port, routes, files } = workerData;
  const table = routing({ routes, files });
  parentPort.on("message", async ({ id, url, ...request }) => {
    let answer;
    try {
      answer = { id, response: await exchange(loopbackUrl(await table, url), request) };
    } catch (e) {
      answer = { id, error: { kind: e.kind ?? "network", message: String(e.message ?? e) } };
    }
    port.postMessage(answer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
}

if (!isMainThread) {
  runWorker();
}
