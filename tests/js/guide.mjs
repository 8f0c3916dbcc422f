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

import { GoogleGenAI } from "@google/genai";

const MODEL = "gemini-2.5-flash";

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
    const names = [];
    const models = [];
    for await (const model of pager) {
      names.push(model.name);
      models.push(model);
    }
    // "names" is the contract; "models" carries the SDK-mapped Model objects.
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
      // line shows both (see errorInfo / main).
      throw withPartial(e, { chunks, raw });
    }
    // "chunks" is the contract; "raw" carries each full chunk object.
    return {
      text: chunks.filter((t) => typeof t === "string").join(""),
      response: { chunks, raw },
    };
  },
};

// Attach what a streaming example received before it failed to the error it failed with.
function withPartial(e, partial) {
  const error = e instanceof Error ? e : new Error(String(e), { cause: e });
  Object.defineProperty(error, "partial", { value: partial, enumerable: false });
  return error;
}

// JSON.stringify drops undefined values; keep the keys present as null.
function nn(v) {
  return v === undefined ? null : v;
}

function errorInfo(e) {
  if (e instanceof Error || (e && typeof e === "object")) {
    const info = {
      name: nn(e.name),
      status: nn(e.status),
      message: nn(e.message),
    };
    // e.g. undici's `TypeError: terminated`, caused by `SocketError: other side closed`
    const cause = e.cause;
    if (cause && typeof cause === "object") {
      info.cause = { name: nn(cause.name), code: nn(cause.code), message: nn(cause.message) };
    }
    return info;
  }
  return { name: null, status: null, message: String(e) };
}

async function main(argv) {
  if (argv.length === 0) {
    process.stderr.write(
      `usage: node guide.mjs <example-name> [more names...]\n` +
        `examples: ${Object.keys(EXAMPLES).join(" ")}\n`,
    );
    return 2;
  }
  const unknown = argv.filter((n) => !Object.hasOwn(EXAMPLES, n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown example(s): ${unknown.join(" ")}\n` +
        `examples: ${Object.keys(EXAMPLES).join(" ")}\n`,
    );
    return 2;
  }

  // As in the guide: everything (API key, base URL) comes from the environment.
  const ai = new GoogleGenAI({});

  for (const name of argv) {
    let line;
    try {
      const { text, response } = await EXAMPLES[name](ai);
      line = { example: name, ok: true, text: nn(text), response: nn(response) };
    } catch (e) {
      line = { example: name, ok: false, error: errorInfo(e) };
      if (e && e.partial !== undefined) {
        // what a streaming example yielded before it failed
        line.response = e.partial;
      }
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`guide.mjs harness error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 1;
  },
);
