// Embeddings with the official @google/genai SDK: one JSON line per example on stdout.
//
//   node embeddings.mjs <example-name> [more names...]      # cwd = tests/js
//
// As guide.mjs (see the README): the client is `new GoogleGenAI({})`, which reads GEMINI_API_KEY
// and GOOGLE_GEMINI_BASE_URL from the environment. `ai.models.embedContent` sends
// :batchEmbedContents to the Developer API, one request per content.
//
// Examples:
//   texts       three texts, config {taskType, outputDimensionality: 768}
//               {"example", "ok", "sizes": [768, 768, 768], "first": [the first 4 values]}
//   one         a single string: {"example", "ok", "sizes": [3072]}
//   retrieval   five documents, then a question; the nearest by cosine
//               {"example", "ok", "nearest": index of the nearest document, "scores"}
//   usage       gemini-embedding-2: {"example", "ok", "sizes", "usageMetadata"}
//   generation  a generation model asked to embed: fails with the service's 404
//   too_many    101 texts: fails with the service's 400

import { runExamples } from "./harness.mjs";

const MODEL = "gemini-embedding-001";
const DOCUMENTS = [
  "The Eiffel Tower is a wrought-iron tower in Paris, France.",
  "Bees make honey from the nectar of flowers.",
  "The violin is a string instrument played with a bow.",
  "Glaciers are slow rivers of ice that carve valleys.",
  "The Moon's gravity causes the ocean tides on Earth.",
];

function sizes(response) {
  return response.embeddings.map((e) => e.values.length);
}

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

const examples = {
  async texts(ai) {
    const response = await ai.models.embedContent({
      model: MODEL,
      contents: ["What is the meaning of life?", "How do I bake a cake?", "Why is the sky blue?"],
      config: { taskType: "SEMANTIC_SIMILARITY", outputDimensionality: 768 },
    });
    return { sizes: sizes(response), first: response.embeddings[0].values.slice(0, 4) };
  },

  async one(ai) {
    const response = await ai.models.embedContent({ model: MODEL, contents: "Hello world" });
    return { sizes: sizes(response) };
  },

  async retrieval(ai) {
    const stored = await ai.models.embedContent({
      model: MODEL,
      contents: DOCUMENTS,
      config: { taskType: "RETRIEVAL_DOCUMENT" },
    });
    const asked = await ai.models.embedContent({
      model: MODEL,
      contents: "What makes the tides of the ocean?",
      config: { taskType: "RETRIEVAL_QUERY" },
    });
    const query = asked.embeddings[0].values;
    const scores = stored.embeddings.map((e) => cosine(query, e.values));
    return { nearest: scores.indexOf(Math.max(...scores)), scores };
  },

  async usage(ai) {
    const response = await ai.models.embedContent({
      model: "gemini-embedding-2",
      contents: "a b c",
      config: { outputDimensionality: 128 },
    });
    return { sizes: sizes(response), usageMetadata: response.usageMetadata ?? null };
  },

  async generation(ai) {
    await ai.models.embedContent({ model: "gemini-2.5-flash", contents: "hi" });
    return {};
  },

  async too_many(ai) {
    await ai.models.embedContent({ model: MODEL, contents: Array(101).fill("x") });
    return {};
  },
};

runExamples("embeddings.mjs", examples, (example, ai) => example(ai));
