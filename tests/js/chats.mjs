// Runs the Gemini API guide's JavaScript chat examples ("Multi-turn conversations (Chat)") with
// the official @google/genai SDK and prints one JSON line per example to stdout.
//
//   node chats.mjs <example-name> [more names...]      # cwd = tests/js
//
// As guide.mjs (see the README): the client is the guide's `new GoogleGenAI({})`, which reads
// GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL from the environment; the exit code is 0 even when
// examples fail, 2 for a usage error, 1 for a harness crash.
//
// Examples (the guide's code verbatim but for its console.log output, collected instead):
//   chat          the chat with an initial history (Hello / Great to meet you...), then
//                 sendMessage "I have 2 dogs in my house." and "How many paws are in my house?"
//                 {"example", "ok", "texts": [response1.text, response2.text],
//                  "responses": [response1, response2]}
//   chat_stream   the same with sendMessageStream
//                 {"example", "ok", "texts": [each turn's chunks joined],
//                  "chunks": [[chunk.text...], [chunk.text...]], "raw": [[chunk...], [chunk...]],
//                  "history": {"comprehensive": chat.getHistory(), "curated": chat.getHistory(true)}}
//   chat_history  `chat`, then what the guide's Java example prints: the chat's history
//                 {"example", "ok", "texts": [...],
//                  "history": {"comprehensive": chat.getHistory(), "curated": chat.getHistory(true)}}
// A failed example: {"example", "ok": false, "error": {"name", "status", "message"[, "cause"]}},
// plus whatever it had collected before the error ("texts", "chunks", ...).

import { nn, runExamples } from "./harness.mjs";

// What an example collected so far: printed even when it fails midway.
// The guide's two chats; `out` collects what the guide prints.
async function guideChat(ai, out) {
  const chat = ai.chats.create({
    model: "gemini-2.5-flash",
    history: [
      {
        role: "user",
        parts: [{ text: "Hello" }],
      },
      {
        role: "model",
        parts: [{ text: "Great to meet you. What would you like to know?" }],
      },
    ],
  });

  const response1 = await chat.sendMessage({
    message: "I have 2 dogs in my house.",
  });
  out.texts.push(nn(response1.text)); // console.log("Chat response 1:", response1.text);
  out.responses = [response1];

  const response2 = await chat.sendMessage({
    message: "How many paws are in my house?",
  });
  out.texts.push(nn(response2.text)); // console.log("Chat response 2:", response2.text);
  out.responses.push(response2);
  return chat;
}

async function guideChatStream(ai, out) {
  out.chunks = [];
  out.raw = [];
  const chat = ai.chats.create({
    model: "gemini-2.5-flash",
    history: [
      {
        role: "user",
        parts: [{ text: "Hello" }],
      },
      {
        role: "model",
        parts: [{ text: "Great to meet you. What would you like to know?" }],
      },
    ],
  });

  const stream1 = await chat.sendMessageStream({
    message: "I have 2 dogs in my house.",
  });
  out.chunks.push([]);
  out.raw.push([]);
  for await (const chunk of stream1) {
    out.chunks[0].push(nn(chunk.text)); // console.log(chunk.text);
    out.raw[0].push(chunk); // console.log("_".repeat(80));
  }

  const stream2 = await chat.sendMessageStream({
    message: "How many paws are in my house?",
  });
  out.chunks.push([]);
  out.raw.push([]);
  for await (const chunk of stream2) {
    out.chunks[1].push(nn(chunk.text)); // console.log(chunk.text);
    out.raw[1].push(chunk); // console.log("_".repeat(80));
  }
  out.texts = out.chunks.map((turn) => turn.filter((t) => typeof t === "string").join(""));
  return chat;
}

function history(chat) {
  return { comprehensive: chat.getHistory(), curated: chat.getHistory(true) };
}

const EXAMPLES = {
  async chat(ai, out) {
    await guideChat(ai, out);
  },

  async chat_stream(ai, out) {
    const chat = await guideChatStream(ai, out);
    out.history = history(chat);
  },

  async chat_history(ai, out) {
    const chat = await guideChat(ai, out);
    delete out.responses;
    out.history = history(chat);
  },
};

runExamples("chats.mjs", EXAMPLES, async (example, ai, line) => {
  line.texts = [];
  await example(ai, line);
});
