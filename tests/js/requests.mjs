// Request fields the service takes, or refuses, sent by the JS SDK
// (tests/compat/test_request_fields_sdks.py checks the lines and what the fake received):
//
//   node requests.mjs server_tools | code_chat | function_media | penalty | unknown_cache
//                     | logprobs | logprobs_refused
//
// server_tools:   a Gemini 3 history holding a server-side tool turn (toolCall, toolResponse),
//                 sent with toolConfig.includeServerSideToolInvocations
// code_chat:      a chat whose history holds executableCode and codeExecutionResult with ids
// function_media: a function response carrying an image (functionResponse.parts)
// penalty:        presencePenalty on gemini-2.5-flash (refused)
// unknown_cache:  a cachedContent the service does not hold (refused)
// logprobs:       responseLogprobs with 2 top candidates on gemini-2.0-flash
// logprobs_refused: the same on gemini-2.5-flash (refused)

import { readFileSync } from "node:fs";
import { runExamples } from "./harness.mjs";

const G3 = "gemini-3-flash-preview";
const SIGNATURE = Buffer.from("a signature the fake made").toString("base64");
// A PNG the test writes (its path in REQUESTS_PNG), so both SDKs send the same bytes.
const png = () => readFileSync(process.env.REQUESTS_PNG).toString("base64");

const user = (text) => ({ role: "user", parts: [{ text }] });

const EXAMPLES = {
  server_tools: async (ai) => {
    const searchTurn = {
      role: "model",
      parts: [
        {
          toolCall: { toolType: "GOOGLE_SEARCH_WEB", args: { queries: ["weather in Lisbon"] }, id: "t8f3k2qa" },
          thoughtSignature: SIGNATURE,
        },
        {
          toolResponse: { toolType: "GOOGLE_SEARCH_WEB", response: { search_suggestions: "x" }, id: "t8f3k2qa" },
          thoughtSignature: SIGNATURE,
        },
        { text: "It is sunny in Lisbon." },
      ],
    };
    const response = await ai.models.generateContent({
      model: G3,
      contents: [user("Weather in Lisbon?"), searchTurn, user("And tomorrow?")],
      config: {
        tools: [{ googleSearch: {} }],
        toolConfig: { includeServerSideToolInvocations: true },
      },
    });
    // The answer opens with its own search's toolCall and toolResponse, so `response.text`
    // would warn: read the text, and name each part's kind.
    const parts = response.candidates[0].content.parts;
    return {
      text: parts.map((p) => p.text ?? "").join(""),
      kinds: parts.map((p) => Object.keys(p).find((k) => k !== "thoughtSignature")),
      ids: parts.map((p) => (p.toolCall ?? p.toolResponse)?.id ?? null),
    };
  },
  code_chat: async (ai) => {
    const chat = ai.chats.create({
      model: G3,
      config: { tools: [{ codeExecution: {} }] },
      history: [
        user("Compute 6 * 7"),
        {
          role: "model",
          parts: [
            { executableCode: { language: "PYTHON", code: "print(6 * 7)", id: "c1" } },
            { codeExecutionResult: { outcome: "OUTCOME_OK", output: "42\n", id: "c1" } },
            { text: "The answer is 42." },
          ],
        },
      ],
    });
    const response = await chat.sendMessage({ message: "Now double it" });
    // The answer holds code parts before its text, so `response.text` would warn: read the text.
    const parts = response.candidates[0].content.parts;
    return { text: parts.map((p) => p.text ?? "").join("") };
  },
  function_media: async (ai) => {
    const call = { functionCall: { name: "take_photo", args: {} }, thoughtSignature: SIGNATURE };
    const answer = {
      functionResponse: {
        name: "take_photo",
        response: { image: { $ref: "photo.png" } },
        parts: [{ inlineData: { mimeType: "image/png", data: png(), displayName: "photo.png" } }],
      },
    };
    const response = await ai.models.generateContent({
      model: G3,
      contents: [user("Take a photo of the shelf"), { role: "model", parts: [call] }, { role: "user", parts: [answer] }],
      config: { tools: [{ functionDeclarations: [{ name: "take_photo", description: "Takes a photo" }] }] },
    });
    return { text: response.text, usage: response.usageMetadata };
  },
  penalty: async (ai) => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hi",
      config: { presencePenalty: 0.5 },
    });
    return { text: response.text };
  },
  unknown_cache: async (ai) => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hi",
      config: { cachedContent: "cachedContents/nosuchcache" },
    });
    return { text: response.text };
  },
  logprobs: async (ai) => {
    const response = await ai.models.generateContent({
      model: "gemini-2.0-flash",
      contents: "How does AI work?",
      config: { responseLogprobs: true, logprobs: 2 },
    });
    const candidate = response.candidates[0];
    return { text: response.text, avgLogprobs: candidate.avgLogprobs, logprobsResult: candidate.logprobsResult };
  },
  logprobs_refused: async (ai) => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hi",
      config: { responseLogprobs: true, logprobs: 2 },
    });
    return { text: response.text };
  },
};

runExamples("requests.mjs", EXAMPLES, (example, ai) => example(ai));
