// Function calling with the official @google/genai SDK: one JSON line per example on stdout.
//
//   node tools.mjs <example-name> [more names...]      # cwd = tests/js
//
// As guide.mjs (see the README): the client is `new GoogleGenAI({})`, which reads GEMINI_API_KEY
// and GOOGLE_GEMINI_BASE_URL from the environment.
//
// Examples (all declare get_weather(city) and get_time(location), mode AUTO):
//   calls         generateContent on a prompt needing three calls
//                 {"example", "ok", "functionCalls": response.functionCalls, "parts": [...]}
//   calls_stream  the same with generateContentStream
//                 {"example", "ok", "functionCalls": [chunk.functionCalls...], "parts": [...]}
//   no_call       generateContent on a prompt needing no tool
//                 {"example", "ok", "functionCalls": response.functionCalls, "text"}
//   round_trip    the calls of `calls`, run here, their results sent back; the answer
//                 {"example", "ok", "functionCalls", "text"}

import { nn, runExamples } from "./harness.mjs";

const MODEL = "gemini-3-flash-preview";
const PARALLEL = "Is it sunny in Rome and in Madrid, and what time is it in Tokyo?";

const config = {
  tools: [
    {
      functionDeclarations: [
        {
          name: "get_weather",
          description: "Get the current weather for a city.",
          parametersJsonSchema: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
          },
        },
        {
          name: "get_time",
          description: "Returns the current time in a location.",
          parametersJsonSchema: {
            type: "object",
            properties: { location: { type: "string" } },
            required: ["location"],
          },
        },
      ],
    },
  ],
};

// What the functions return, here instead of a weather service.
function run(call) {
  if (call.name === "get_weather") {
    return { result: `light rain in ${call.args.city}, 12 degrees` };
  }
  return { result: `09:30 in ${call.args.location}` };
}

const examples = {
  async calls(ai) {
    const response = await ai.models.generateContent({ model: MODEL, contents: PARALLEL, config });
    return {
      functionCalls: nn(response.functionCalls),
      parts: response.candidates[0].content.parts,
    };
  },

  async calls_stream(ai) {
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: PARALLEL,
      config,
    });
    const functionCalls = [];
    const parts = [];
    for await (const chunk of stream) {
      functionCalls.push(nn(chunk.functionCalls));
      parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
    }
    return { functionCalls, parts };
  },

  async no_call(ai) {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "Write a haiku about the sea.",
      config,
    });
    return { functionCalls: nn(response.functionCalls), text: nn(response.text) };
  },

  async round_trip(ai) {
    const contents = [{ role: "user", parts: [{ text: PARALLEL }] }];
    const first = await ai.models.generateContent({ model: MODEL, contents, config });
    contents.push(first.candidates[0].content);
    contents.push({
      role: "user",
      parts: first.functionCalls.map((call) => ({
        functionResponse: { name: call.name, response: run(call) },
      })),
    });
    const answer = await ai.models.generateContent({ model: MODEL, contents, config });
    return {
      functionCalls: first.functionCalls,
      text: nn(answer.text),
      again: nn(answer.functionCalls),
    };
  },
};

runExamples("tools.mjs", examples, (example, ai) => example(ai));
