// Answers with the built-in tools, read by the JS SDK
// (tests/compat/test_builtin_tools_js_sdk.py checks the lines):
//
//   node builtin_tools.mjs unary | stream
//
// unary:  Google Search, code execution and URL context on gemini-3-flash-preview
// stream: the same, streamed; one entry per chunk

import { runExamples } from "./harness.mjs";

const G3 = "gemini-3-flash-preview";
const PROMPT =
  "Qu'est-ce que 12 * (5 + 3) donne, et que dit https://example.com/guide — " +
  "ou http://localhost:9/x ? Réponds brièvement, s'il te plaît.";
const CONFIG = { tools: [{ googleSearch: {} }, { codeExecution: {} }, { urlContext: {} }] };

// What the SDK gives for one response (or chunk): its code getters, the text parts (read from
// the parts: `response.text` warns of the code parts, as it would with the service's answer) and
// the candidate's metadata.
function read(response) {
  const candidate = response.candidates[0];
  const parts = candidate.content?.parts ?? [];
  const texts = parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text);
  return {
    executableCode: response.executableCode ?? null,
    codeExecutionResult: response.codeExecutionResult ?? null,
    text: texts.length > 0 ? texts.join("") : null,
    groundingMetadata: candidate.groundingMetadata ?? null,
    urlContextMetadata: candidate.urlContextMetadata ?? null,
  };
}

const EXAMPLES = {
  unary: async (ai) => read(await ai.models.generateContent({ model: G3, contents: PROMPT, config: CONFIG })),
  stream: async (ai) => {
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({
      model: G3,
      contents: PROMPT,
      config: CONFIG,
    })) {
      chunks.push(read(chunk));
    }
    return { chunks };
  },
};

runExamples("builtin_tools.mjs", EXAMPLES, (example, ai) => example(ai));
