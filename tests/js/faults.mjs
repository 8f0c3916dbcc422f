// What the JS SDK does when the fake's fault rules (docs/faults.md) break a call; the test
// (tests/compat/test_faults_sdks.py) sets the rules, this driver makes the calls:
//
//   node faults.mjs retry | quota | upload | timeout
//
// retry:  generateContent with `httpOptions.retryOptions` (3 attempts, 10 ms apart at first)
// quota:  generateContent; a failure's `retryDelay`, read from the ApiError's message (the
//         error body as JSON: the SDK keeps only `status` and `message`)
// upload: ai.files.upload of a Blob one byte longer than the SDK's 8 MiB chunk
// timeout: generateContent with `httpOptions.timeout` of 300 ms; the error and how long it took

import { runExamples } from "./harness.mjs";

const MODEL = "gemini-2.5-flash";
const CHUNK = 8 * 1024 * 1024;

const EXAMPLES = {
  retry: async (ai) => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "Hi",
      config: { httpOptions: { retryOptions: { attempts: 3, initialDelay: 0.01, maxDelay: 0.05 } } },
    });
    return { text: response.text };
  },
  quota: async (ai) => {
    try {
      await ai.models.generateContent({ model: MODEL, contents: "Hi" });
    } catch (e) {
      const body = JSON.parse(e.message);
      const info = body.error.details.find((d) => d["@type"].endsWith("RetryInfo"));
      return { status: e.status, name: e.name, retryDelay: info.retryDelay };
    }
    return { status: 200 };
  },
  timeout: async (ai) => {
    const began = Date.now();
    try {
      await ai.models.generateContent({
        model: MODEL,
        contents: "Hi",
        config: { httpOptions: { timeout: 300 } },
      });
    } catch (e) {
      return { name: e.name, message: String(e.message), ms: Date.now() - began };
    }
    return { ms: Date.now() - began };
  },
  upload: async (ai) => {
    const blob = new Blob([new Uint8Array(CHUNK + 1).fill(97)], { type: "text/plain" });
    const file = await ai.files.upload({ file: blob, config: { mimeType: "text/plain" } });
    return { name: file.name, sizeBytes: file.sizeBytes };
  },
};

runExamples("faults.mjs", EXAMPLES, (example, ai) => example(ai));
