// A small Gemini API client on node's fetch: generate (unary, alt=sse), chats, the Files API
// with Google's resumable upload protocol (docs/files.md), and API errors as ApiError.

import { Chat } from "./chat.mjs";
import { ApiError } from "./errors.mjs";
import { geminiChunks } from "./sse.mjs";

// A GenerateContentResponse with the SDKs' `.text`: the first candidate's text parts joined,
// thought parts left out.
export class GenerateContentResponse {
  constructor(json) {
    Object.assign(this, json);
  }

  get text() {
    const parts = this.candidates?.[0]?.content?.parts ?? [];
    const texts = parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text);
    return texts.length === 0 ? undefined : texts.join("");
  }
}

// A non-2xx answer -> ApiError, from the Google envelope (or its status line if it has none).
async function raiseFor(response) {
  if (response.ok) return response;
  const body = await response.text();
  let error = null;
  try {
    const parsed = JSON.parse(body);
    error = (Array.isArray(parsed) ? parsed[0] : parsed)?.error ?? null;
  } catch {
    // not JSON: described by the status line below
  }
  if (error !== null && Number.isInteger(error.code)) throw ApiError.fromEnvelope(error);
  throw new ApiError(response.status, response.statusText, body.slice(0, 200));
}

export class Client {
  constructor({ baseUrl, apiKey, apiVersion = "v1beta" }) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
    this.apiVersion = apiVersion;
    this.chats = { create: ({ model, history = [] }) => new Chat(this.transport(model), history) };
    this.files = {
      upload: async (options) => (await this.upload(options)).file,
      get: (name) => this.call("GET", `${this.apiVersion}/${name}`),
      delete: (name) => this.call("DELETE", `${this.apiVersion}/${name}`),
    };
  }

  url(path) {
    return `${this.baseUrl}/${path}`;
  }

  headers(extra = {}) {
    return { "x-goog-api-key": this.apiKey, ...extra };
  }

  async call(method, path, body) {
    const init = { method, headers: this.headers() };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await raiseFor(await fetch(this.url(path), init));
    return response.json();
  }

  async generateContent(model, request) {
    const path = `${this.apiVersion}/models/${model}:generateContent`;
    const json = await this.call("POST", path, request);
    return new GenerateContentResponse(json);
  }

  // Yields each chunk as it arrives. An error before the stream starts is the ordinary error
  // body (status not 200); one during it is an error event (raised by geminiChunks).
  async *streamGenerateContent(model, request) {
    const path = `${this.apiVersion}/models/${model}:streamGenerateContent?alt=sse`;
    const response = await raiseFor(
      await fetch(this.url(path), {
        method: "POST",
        headers: this.headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(request),
      }),
    );
    for await (const chunk of geminiChunks(response.body)) yield new GenerateContentResponse(chunk);
  }

  // What a chat calls for each turn.
  transport(model) {
    return {
      generate: (contents) => this.generateContent(model, { contents }),
      stream: (contents) => this.streamGenerateContent(model, { contents }),
    };
  }

  // The resumable protocol: start (declares size and type, answers the upload URL), then one
  // "upload, finalize" at offset 0 that answers {"file": {...}}.
  async upload({ bytes, mimeType, displayName }) {
    const start = await raiseFor(
      await fetch(this.url(`upload/${this.apiVersion}/files`), {
        method: "POST",
        headers: this.headers({
          "X-Goog-Upload-Protocol": "resumable",
          "X-Goog-Upload-Command": "start",
          "X-Goog-Upload-Header-Content-Length": String(bytes.length),
          "X-Goog-Upload-Header-Content-Type": mimeType,
          "Content-Type": "application/json",
        }),
        body: JSON.stringify({ file: { displayName } }),
      }),
    );
    await start.arrayBuffer();
    const uploadUrl = start.headers.get("x-goog-upload-url");
    if (start.headers.get("x-goog-upload-status") !== "active" || !uploadUrl) {
      throw new Error("the upload start answered no active session and upload URL");
    }
    const finish = await raiseFor(
      await fetch(uploadUrl, {
        method: "POST",
        headers: {
          "X-Goog-Upload-Command": "upload, finalize",
          "X-Goog-Upload-Offset": "0",
          "Content-Type": mimeType,
        },
        body: bytes,
      }),
    );
    const status = finish.headers.get("x-goog-upload-status");
    const body = await finish.json();
    if (status !== "final" || body.file === undefined) {
      throw new Error(`the upload did not finalize (status ${status})`);
    }
    return { file: body.file, uploadUrl };
  }
}
