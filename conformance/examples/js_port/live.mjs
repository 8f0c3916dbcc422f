// The client against a running server (the fake, or any server speaking the protocol):
//
//   node live.mjs [base-url] [api-key]
//
// The base URL and key default to GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY. Each step prints
// "pass  <step>" or "FAIL  <step>  <why>", then "N of M steps pass"; the exit status is 1 if
// any failed. The last line is a JSON summary of what was sent and received, for a test
// runner to compare with the server's own record.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "./client.mjs";
import { ApiError } from "./errors.mjs";
import { requestKey } from "./key.mjs";

const MODEL = "gemini-2.5-flash";
const PROMPT = "How does AI work?";

class StepFailure extends Error {}

function expect(condition, why) {
  if (!condition) throw new StepFailure(why);
}

async function expectApiError(run, code, status, message) {
  try {
    await run();
  } catch (error) {
    expect(error instanceof ApiError, `raised ${error.name}: ${error.message}, not an ApiError`);
    expect(error.code === code, `code ${error.code}, expected ${code}`);
    expect(error.status === status, `status ${error.status}, expected ${status}`);
    const said = JSON.stringify(error.apiMessage);
    expect(message === undefined || error.apiMessage === message, `message ${said}`);
    return error;
  }
  throw new StepFailure(`no error, expected ${code} ${status}`);
}

function steps(client, summary) {
  const request = { contents: [{ parts: [{ text: PROMPT }] }] };
  const answers = {};
  return {
    async "generate content (unary, .text)"() {
      const response = await client.generateContent(MODEL, request);
      expect(typeof response.text === "string" && response.text.length > 0, "no .text");
      expect(response.candidates[0].finishReason === "STOP", "the answer has no STOP finishReason");
      const usage = response.usageMetadata ?? {};
      const counts = ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount"];
      const sum = counts.reduce((total, name) => total + (usage[name] ?? 0), 0);
      expect(usage.totalTokenCount === sum, `totalTokenCount ${usage.totalTokenCount} != ${sum}`);
      answers.unary = response.text;
      summary.keys = [requestKey("generateContent", MODEL, request)];
      // Spelled as clients spell it: snake_case, a float32 round trip, a tiny float (Python
      // writes 1e-05), a default value, a system instruction's role. Its key is the server's.
      const spelled = {
        system_instruction: { role: "user", parts: [{ text: "Answer in one line." }] },
        contents: [{ parts: [{ text: PROMPT }] }, { role: "user", parts: [{ text: "Briefly." }] }],
        generation_config: { temperature: 0.00001, top_p: 0.949999988079071, candidate_count: 1 },
      };
      await client.generateContent(MODEL, spelled);
      summary.keys.push(requestKey("generateContent", MODEL, spelled));
    },
    async "stream with alt=sse (the same answer, chunk by chunk)"() {
      const chunks = [];
      for await (const chunk of client.streamGenerateContent(MODEL, request)) chunks.push(chunk);
      expect(chunks.length > 1, `${chunks.length} chunk(s)`);
      const text = chunks.map((c) => c.text ?? "").join("");
      expect(text === answers.unary, "the chunks' text joined is not the unary answer");
      const reasons = chunks.map((c) => c.candidates[0].finishReason);
      expect(reasons.at(-1) === "STOP", "the last chunk has no finishReason");
      expect(reasons.slice(0, -1).every((r) => !r), "a finishReason before the last chunk");
      expect(new Set(chunks.map((c) => c.responseId)).size === 1, "the chunks' responseIds differ");
      summary.chunks = chunks.length;
    },
    async "a two-turn chat (the second request carries the first turn)"() {
      const chat = client.chats.create({ model: MODEL });
      await chat.send("Hello, I have two dogs in my house.");
      let streamed = 0;
      for await (const _ of chat.sendStream("How many paws are in my house?")) streamed += 1;
      const history = chat.history({ curated: true });
      expect(streamed > 0, "the second turn streamed nothing");
      expect(history.length === 3 + streamed, `curated history of ${history.length} turns`);
      const roles = ["user", "model", "user", ...Array(streamed).fill("model")];
      expect(history.map((c) => c.role).join() === roles.join(), "roles out of order");
      summary.chatSecondRequest = history.slice(0, 3);
    },
    async "upload a file (resumable: start, upload + finalize), get it, delete it"() {
      const bytes = Buffer.from("A note for the Files API: two dogs, eight paws.\n", "utf8");
      const upload = { bytes, mimeType: "text/plain", displayName: "note.txt" };
      const { file, uploadUrl } = await client.upload(upload);
      expect(/^https?:\/\//.test(uploadUrl), `upload URL ${uploadUrl} is not absolute`);
      expect(/^files\/[a-z0-9-]+$/.test(file.name), `file name ${file.name}`);
      expect(file.sizeBytes === String(bytes.length), `sizeBytes ${file.sizeBytes}, not a string`);
      const hex = createHash("sha256").update(bytes).digest("hex");
      const hash = Buffer.from(hex).toString("base64");
      expect(file.sha256Hash === hash, "sha256Hash is not base64 of the hex digest");
      expect(file.displayName === "note.txt", `displayName ${file.displayName}`);
      expect(file.mimeType === "text/plain", `mimeType ${file.mimeType}`);
      expect(file.state === "ACTIVE", `state ${file.state}`);
      const got = await client.files.get(file.name);
      const same = got.name === file.name && got.sha256Hash === file.sha256Hash;
      expect(same, "files.get answered another file");
      const deleted = await client.files.delete(file.name);
      expect(Object.keys(deleted).length === 0, "DELETE did not answer {}");
      const id = file.name.slice("files/".length);
      await expectApiError(() => client.files.get(file.name), 403, "PERMISSION_DENIED",
        `You do not have permission to access the File ${id} or it may not exist.`);
      summary.file = file.name;
    },
    async "an API error is a typed error (code, status, message)"() {
      const bad = { contents: [{ role: "system", parts: [{ text: PROMPT }] }] };
      await expectApiError(() => client.generateContent(MODEL, bad), 400, "INVALID_ARGUMENT",
        "Please use a valid role: user, model.");
      const error = await expectApiError(async () => {
        for await (const _ of client.streamGenerateContent("no-such-model", request));
      }, 404, "NOT_FOUND");
      const notFound = error.apiMessage.startsWith("models/no-such-model is not found");
      expect(notFound, `message ${error.apiMessage}`);
    },
  };
}

async function main(argv) {
  const baseUrl = argv[0] ?? process.env.GOOGLE_GEMINI_BASE_URL;
  const apiKey = argv[1] ?? process.env.GEMINI_API_KEY;
  if (!baseUrl || !apiKey) {
    process.stderr.write(
      "usage: node live.mjs [base-url] [api-key] (or GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY)\n",
    );
    return 2;
  }
  const client = new Client({ baseUrl, apiKey });
  const summary = {};
  let passed = 0;
  const all = Object.entries(steps(client, summary));
  for (const [name, step] of all) {
    try {
      await step();
      passed += 1;
      console.log(`pass  ${name}`);
    } catch (error) {
      const why = error instanceof StepFailure ? error.message : `${error.name}: ${error.message}`;
      console.log(`FAIL  ${name}  ${why}`);
    }
  }
  console.log(`${passed} of ${all.length} steps pass`);
  console.log(JSON.stringify(summary));
  return passed === all.length ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
