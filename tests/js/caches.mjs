// Context caching with the JS SDK (tests/compat/test_caches_js_sdk.py checks the lines and what
// the fake received):
//
//   node caches.mjs lifecycle | generate | tools | too_small | with_system | expiring | expired
//
// lifecycle:   ai.caches.create, get, list (a pager of pageSize 2 over three caches), update
//              (ttl, then expireTime) and delete, then get of the deleted cache (refused)
// generate:    generateContent and generateContentStream naming a cache
// tools:       a cache holding a function declaration and mode ANY: the answer is a call
// too_small:   a cache below gemini-2.5-pro's minimum (refused)
// with_system: a request naming a cache and setting a system instruction (refused)
// expiring:    a cache created with ttl "60s" (the line gives its name)
// expired:     generate naming the cache in CACHE_NAME (the test runs it after moving the
//              fake's clock past that cache's expiry: refused)

import { runExamples } from "./harness.mjs";

const MODEL = "gemini-2.5-flash";
const DOCUMENT =
  "The harbour log. " +
  Array.from({ length: 150 }, (_, i) => `Entry ${i}: the lights on pier ${i % 7} were green at dusk.`).join(" ");

const makeCache = (ai, config = {}) =>
  ai.caches.create({
    model: MODEL,
    config: { contents: [{ role: "user", parts: [{ text: DOCUMENT }] }], ...config },
  });

const EXAMPLES = {
  lifecycle: async (ai) => {
    const cache = await makeCache(ai, { displayName: "harbour log", ttl: "300s" });
    const fetched = await ai.caches.get({ name: cache.name });
    await makeCache(ai);
    await makeCache(ai);
    const pager = await ai.caches.list({ config: { pageSize: 2 } });
    const listed = [];
    for await (const each of pager) listed.push(each.name);
    const renewed = await ai.caches.update({ name: cache.name, config: { ttl: "7200s" } });
    const moved = await ai.caches.update({
      name: cache.name,
      config: { expireTime: "2999-01-02T03:04:05Z" },
    });
    const deleted = await ai.caches.delete({ name: cache.name });
    let after = null;
    try {
      await ai.caches.get({ name: cache.name });
    } catch (e) {
      after = { name: e.name, status: e.status, message: e.message };
    }
    return { cache, fetched, listed, renewed, moved, deleted, after };
  },
  generate: async (ai) => {
    const cache = await makeCache(ai, { systemInstruction: "Answer as the harbour master would." });
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "Which pier was green?",
      config: { cachedContent: cache.name },
    });
    const chunks = [];
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: "Which pier was green?",
      config: { cachedContent: cache.name },
    });
    for await (const chunk of stream) chunks.push(chunk.usageMetadata);
    return { cache, text: response.text, usage: response.usageMetadata, streamUsage: chunks.at(-1) };
  },
  tools: async (ai) => {
    const declaration = {
      name: "pier_light",
      description: "The colour of a pier's light.",
      parameters: { type: "OBJECT", properties: { pier: { type: "INTEGER" } } },
    };
    const cache = await makeCache(ai, {
      tools: [{ functionDeclarations: [declaration] }],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    });
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "What colour is the light on pier 4?",
      config: { cachedContent: cache.name },
    });
    return { calls: response.functionCalls };
  },
  too_small: async (ai) => {
    const cache = await ai.caches.create({ model: "gemini-2.5-pro", config: { contents: DOCUMENT } });
    return { cache };
  },
  with_system: async (ai) => {
    const cache = await makeCache(ai);
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "Hi",
      config: { cachedContent: cache.name, systemInstruction: "Be brief." },
    });
    return { text: response.text };
  },
  expiring: async (ai) => {
    const cache = await makeCache(ai, { ttl: "60s" });
    return { name: cache.name };
  },
  expired: async (ai) => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "Hi",
      config: { cachedContent: process.env.CACHE_NAME },
    });
    return { text: response.text };
  },
};

runExamples("caches.mjs", EXAMPLES, (example, ai) => example(ai));
