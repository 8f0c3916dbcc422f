// Runs the Gemini API guide's image-understanding examples with the official
// @google/genai SDK and prints one JSON line per example to stdout (the same
// protocol as guide.mjs):
//
//   node images.mjs <example-name> [more names...]
//
//   {"example": name, "ok": true, "text": ..., "response": ...}
//   {"example": name, "ok": false, "error": {"name", "status", "message"}}
//
// The client is `new GoogleGenAI({})`: the API key and base URL come from
// GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL. The images are read from the
// files the test names in GUIDE_SMALL_SAMPLE_JPG ("path/to/small-sample.jpg"),
// GUIDE_IMAGE_PNG ("/path/to/image.png") and GUIDE_CORRUPT_JPG (bytes that are
// not a JPEG). Exit code is 0 even when examples fail.

import { runExamples } from "./harness.mjs";
import * as fs from "node:fs";

function pathFrom(variable) {
  const path = process.env[variable];
  if (!path) {
    throw new Error(`set ${variable} to the file's path`);
  }
  return path;
}

const EXAMPLES = {
  // "Passing inline image data" (JavaScript), as the guide writes it.
  async inline_caption(ai) {
    const base64ImageFile = fs.readFileSync(pathFrom("GUIDE_SMALL_SAMPLE_JPG"), {
      encoding: "base64",
    });

    const contents = [
      {
        inlineData: {
          mimeType: "image/jpeg",
          data: base64ImageFile,
        },
      },
      { text: "Caption this image." },
    ];

    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: contents,
    });
    return { text: response.text, response };
  },

  // countTokens on the same contents as inline_caption.
  async inline_count(ai) {
    const base64ImageFile = fs.readFileSync(pathFrom("GUIDE_SMALL_SAMPLE_JPG"), {
      encoding: "base64",
    });
    const response = await ai.models.countTokens({
      model: "gemini-2.5-flash",
      contents: [
        { inlineData: { mimeType: "image/jpeg", data: base64ImageFile } },
        { text: "Caption this image." },
      ],
    });
    return { text: null, response };
  },

  // "Object detection", the guide's Python example in JavaScript.
  async detect(ai) {
    const prompt =
      "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax, xmax] normalized to 0-1000.";
    const base64Image = fs.readFileSync(pathFrom("GUIDE_IMAGE_PNG"), {
      encoding: "base64",
    });
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: [
        { inlineData: { mimeType: "image/png", data: base64Image } },
        { text: prompt },
      ],
      config: { responseMimeType: "application/json" },
    });
    return { text: response.text, response };
  },

  // Bytes that are not a JPEG, labelled image/jpeg.
  async corrupt(ai) {
    const data = fs.readFileSync(pathFrom("GUIDE_CORRUPT_JPG"), { encoding: "base64" });
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: [
        { inlineData: { mimeType: "image/jpeg", data } },
        { text: "Caption this image." },
      ],
    });
    return { text: response.text, response };
  },
};

runExamples("images.mjs", EXAMPLES);
