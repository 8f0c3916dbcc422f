// Runs the Gemini API guide's JavaScript examples with the official
// @google/genai SDK and prints one JSON line per example to stdout.
//
//   node guide.mjs <example-name> [more names...]
//
// The client is constructed exactly as in the guide, `new GoogleGenAI({})`.
// @google/genai 2.32.0 reads the API key from GEMINI_API_KEY (GOOGLE_API_KEY
// wins if both are set) and the base URL from GOOGLE_GEMINI_BASE_URL (see
// getBaseUrl()/GoogleGenAI constructor in node_modules/@google/genai/dist/node/index.mjs),
// so no httpOptions are passed here.
//
// Output per example:
//   {"example": name, "ok": true, "text": ..., "response": ...}
//   {"example": name, "ok": false, "error": {"name", "status", "message"[, "cause"]}}
// A streaming example that fails midway also has "response": what it got before the error.
// Exit code is 0 even when examples fail; nonzero only for harness problems
// (unknown example name, no arguments, unexpected crash).

import { createPartFromUri, createUserContent } from "@google/genai";
import * as fs from "node:fs";

import { errorInfo, runExamples } from "./harness.mjs";

const MODEL = "gemini-2.5-flash";

// The Files API examples read the test's files from these variables (the guide's
// "path/to/..."), and share what they uploaded: files_get gets the first upload of the run,
// files_delete deletes the last.
function pathFrom(variable) {
  const path = process.env[variable];
  if (!path) {
    throw new Error(`set ${variable} to the file's path`);
  }
  return path;
}
const uploaded = [];

// Every item a pager yields, page after page, and their names.
async function everyItem(pager) {
  const names = [];
  const items = [];
  for await (const item of pager) {
    names.push(item.name);
    items.push(item);
  }
  return { names, items };
}

const EXAMPLES = {
  // https://ai.google.dev/gemini-api/docs/text-generation
  async basic(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "How does AI work?",
    });
    return { text: response.text, response };
  },

  async thinking_off(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "How does AI work?",
      config: {
        thinkingConfig: {
          thinkingBudget: 0, // Disables thinking
        },
      },
    });
    return { text: response.text, response };
  },

  async system_instruction(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hello there",
      config: {
        systemInstruction: "You are a cat. Your name is Neko.",
      },
    });
    return { text: response.text, response };
  },

  async temperature(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Explain how AI works",
      config: {
        temperature: 0.1,
      },
    });
    return { text: response.text, response };
  },

  async config_full(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "What is the average size of a swallow?",
      config: {
        temperature: 0.9,
        topP: 0.5,
        topK: 20,
        responseMimeType: "application/json",
      },
    });
    return { text: response.text, response };
  },

  async stop_sequences(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Explain how AI works",
      config: {
        stopSequences: ["Title"],
        temperature: 1.0,
        topP: 0.8,
        topK: 10,
      },
    });
    return { text: response.text, response };
  },

  async count_tokens(ai) {
    const response = await ai.models.countTokens({
      model: "gemini-2.5-flash",
      contents: "How does AI work?",
    });
    return { text: null, response };
  },

  async models_get(ai) {
    const response = await ai.models.get({ model: MODEL });
    return { text: null, response };
  },

  async models_list(ai) {
    const pager = await ai.models.list({ config: { pageSize: 2 } });
    // "names" is the contract; "models" carries the SDK-mapped Model objects.
    const { names, items: models } = await everyItem(pager);
    return { text: null, response: { names, models } };
  },

  async bad_model(ai) {
    const response = await ai.models.generateContent({
      model: "gemini-nope",
      contents: "hi",
    });
    return { text: response.text, response };
  },

  async stream(ai) {
    const response = await ai.models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "Explain how AI works",
    });
    const chunks = [];
    const raw = [];
    try {
      for await (const chunk of response) {
        chunks.push(chunk.text ?? null);
        raw.push(chunk);
      }
    } catch (e) {
      // A stream that fails midway: keep what was yielded before the error, so the
      // line shows both (see errorInfo and runExamples in harness.mjs).
      throw withPartial(e, { chunks, raw });
    }
    // "chunks" is the contract; "raw" carries each full chunk object.
    return {
      text: chunks.filter((t) => typeof t === "string").join(""),
      response: { chunks, raw },
    };
  },

  // https://ai.google.dev/gemini-api/docs/files: upload, get, list, delete.
  async files_upload_small(ai) {
    const file = await ai.files.upload({
      file: pathFrom("GUIDE_UPLOAD_SMALL"), // a 1 MB PNG
      config: { mimeType: "image/png", displayName: "js small" },
    });
    uploaded.push(file);
    return { text: null, response: file };
  },

  async files_upload_large(ai) {
    // a 20 MB .mp3: the SDK takes the type from the extension
    const file = await ai.files.upload({ file: pathFrom("GUIDE_UPLOAD_LARGE") });
    uploaded.push(file);
    return { text: null, response: file };
  },

  async files_upload_named(ai) {
    const file = await ai.files.upload({
      file: pathFrom("GUIDE_UPLOAD_NOTES"),
      config: { mimeType: "text/plain", name: "js-notes" },
    });
    uploaded.push(file);
    return { text: null, response: file };
  },

  async files_get(ai) {
    const file = await ai.files.get({ name: uploaded[0].name });
    return { text: null, response: file };
  },

  async files_get_missing(ai) {
    const file = await ai.files.get({ name: "files/nosuchfile01" });
    return { text: null, response: file };
  },

  async files_list(ai) {
    const pager = await ai.files.list({ config: { pageSize: 2 } });
    const { names, items: files } = await everyItem(pager);
    return { text: null, response: { names, files } };
  },

  async files_delete(ai) {
    const name = uploaded[uploaded.length - 1].name;
    const deleted = await ai.files.delete({ name });
    let after = null;
    try {
      after = { ok: true, file: await ai.files.get({ name }) };
    } catch (e) {
      after = { ok: false, error: errorInfo(e) };
    }
    return { text: null, response: { name, deleted, after } };
  },

  // "Uploading images using the File API" (JavaScript)
  async file_caption(ai) {
    const myfile = await ai.files.upload({
      file: pathFrom("GUIDE_SAMPLE_JPG"), // "path/to/sample.jpg"
      config: { mimeType: "image/jpeg" },
    });

    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: createUserContent([
        createPartFromUri(myfile.uri, myfile.mimeType),
        "Caption this image.",
      ]),
    });
    uploaded.push(myfile);
    return { text: response.text, response: { file: myfile, generated: response } };
  },

  // "Prompting with multiple images" (JavaScript)
  async multiple_images(ai) {
    // Upload the first image
    const image1_path = pathFrom("GUIDE_IMAGE1"); // "path/to/image1.jpg"
    const uploadedFile = await ai.files.upload({
      file: image1_path,
      config: { mimeType: "image/jpeg" },
    });

    // Prepare the second image as inline data
    const image2_path = pathFrom("GUIDE_IMAGE2"); // "path/to/image2.png"
    const base64Image2File = fs.readFileSync(image2_path, {
      encoding: "base64",
    });

    // Create the prompt with text and multiple images

    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: createUserContent([
        "What is different between these two images?",
        createPartFromUri(uploadedFile.uri, uploadedFile.mimeType),
        {
          inlineData: {
            mimeType: "image/png",
            data: base64Image2File,
          },
        },
      ]),
    });
    uploaded.push(uploadedFile);
    return { text: response.text, response: { file: uploadedFile, generated: response } };
  },
};

// Attach what a streaming example received before it failed to the error it failed with.
function withPartial(e, partial) {
  const error = e instanceof Error ? e : new Error(String(e), { cause: e });
  Object.defineProperty(error, "partial", { value: partial, enumerable: false });
  return error;
}

runExamples("guide.mjs", EXAMPLES);
