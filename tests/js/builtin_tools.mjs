// Answers with the built-in tools, read by the JS SDK
// (tests/compat/test_builtin_tools_js_sdk.py checks the lines):
//
//   node builtin_tools.mjs unary | stream | maps | combined | refused
//
// unary:    Google Search, code execution and URL context on gemini-3-flash-preview
// stream:   the same, streamed; one entry per chunk
// maps:     Google Maps with its widget on gemini-2.5-flash, unary and streamed
// combined: Google Search beside a declared function on Gemini 3, showing the invocations:
//           the SDK's functionCalls (with ids), then the turn that sends the function's
//           response back with that id, and its text
// refused:  the same tools on gemini-2.5-flash: the error the SDK throws

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

const MAPS_PROMPT = "What are the best Italian restaurants within a 15-minute walk from here?";
const MAPS_CONFIG = {
  tools: [{ googleMaps: { enableWidget: true } }],
  toolConfig: { retrievalConfig: { latLng: { latitude: 34.050481, longitude: -118.248526 } } },
};
const WEATHER = {
  name: "getWeather",
  description: "Gets the weather for a requested city.",
  parameters: {
    type: "object",
    properties: { city: { type: "string", description: "The city and state" } },
    required: ["city"],
  },
};
const COMBINED = {
  tools: [{ googleSearch: {}, functionDeclarations: [WEATHER] }],
  toolConfig: { includeServerSideToolInvocations: true },
};
const WEATHER_PROMPT = "What is the weather like in Utqiagvik today?";

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
  maps: async (ai) => {
    const request = { model: "gemini-2.5-flash", contents: MAPS_PROMPT, config: MAPS_CONFIG };
    const unary = read(await ai.models.generateContent(request));
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream(request)) {
      chunks.push(read(chunk));
    }
    return { unary, chunks };
  },
  combined: async (ai) => {
    const contents = [{ role: "user", parts: [{ text: WEATHER_PROMPT }] }];
    const first = await ai.models.generateContent({ model: G3, contents, config: COMBINED });
    const calls = first.functionCalls;
    contents.push(first.candidates[0].content);
    contents.push({
      role: "user",
      parts: calls.map((call) => ({
        functionResponse: { name: call.name, id: call.id, response: { forecast: "snow, -12 °C" } },
      })),
    });
    const second = await ai.models.generateContent({ model: G3, contents, config: COMBINED });
    return { calls, parts: first.candidates[0].content.parts, text: second.text };
  },
  refused: async (ai) => {
    try {
      await ai.models.generateContent({ model: "gemini-2.5-flash", contents: WEATHER_PROMPT, config: COMBINED });
      return { thrown: null };
    } catch (error) {
      return { thrown: { name: error.name, status: error.status, message: error.message } };
    }
  },
};

runExamples("builtin_tools.mjs", EXAMPLES, (example, ai) => example(ai));
