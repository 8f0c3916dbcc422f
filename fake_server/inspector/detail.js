// One journal entry opened (GET /__fake__/journal/{seq}): what was sent beside what answered,
// a stream's events on a time line, a miss's nearest fixture and differing fields, a fixture
// ready to save for the request, and the request's images with the answer's boxes and masks.
"use strict";

(function () {
  const I = (window.Inspector = window.Inspector || {});
  const GENERATE = new Set(["generateContent", "streamGenerateContent"]);
  const PLACEHOLDER = "Write the answer this request should get.";
  let shown = 0; // the seq on screen, so a slow fetch for an older one does not replace it

  async function open(seq) {
    shown = seq;
    const entry = await I.api(`/__fake__/journal/${seq}`);
    if (shown !== seq) return;
    const pane = document.getElementById("detail-pane");
    pane.replaceChildren(...render(entry));
    await images(pane.querySelector(".images"), entry);
  }

  function render(entry) {
    const el = I.el;
    return [
      el("h2", { text: `#${entry.seq} ${entry.rpc}` + (entry.model ? ` · ${entry.model}` : "") }),
      el("p", { class: "facts" },
        el("span", { class: "status " + I.statusClass(entry.status), text: entry.status }),
        ` answered by ${entry.answeredBy || "(nothing)"}`,
        entry.durationMs !== null && entry.durationMs !== undefined ? ` in ${Number(entry.durationMs).toFixed(1)} ms` : "",
        entry.streamEnd ? ` · stream ${entry.streamEnd}` : "",
        entry.key ? el("span", { class: "key", text: ` · key ${entry.key}` }) : ""),
      miss(entry),
      fixture(entry),
      tools(entry),
      el("div", { class: "images" }),
      el("div", { class: "exchange" }, sent(entry), answer(entry)),
      extra(entry),
    ];
  }

  // --- a miss: the nearest fixture and how the request differs from it ----------------------
  function miss(entry) {
    const found = entry.extra && entry.extra.miss;
    if (!found || typeof found !== "object") return null;
    const el = I.el;
    const strict = Number(entry.status) >= 400;
    const title = strict ? "No fixture matched (strict: answered with an error)" : "No fixture matched (answered with a synthetic answer)";
    if (!found.nearest) {
      return el("section", { class: "miss" }, el("h3", { text: title }), el("p", { text: "There are no fixtures loaded." }));
    }
    const differences = Array.isArray(found.differences) ? found.differences : [];
    return el("section", { class: "miss" },
      el("h3", { text: title }),
      el("p", {}, "Nearest fixture: ", el("strong", { class: "nearest", text: found.nearest }),
        found.source ? ` (${found.source})` : "", ", which differs in:"),
      el("ul", { class: "differences" }, differences.map((d) => el("li", { class: "difference", text: d }))));
  }

  // --- what the answer did with its tools: calls, code and its result, search, URLs ----------
  function answerBodies(entry) {
    const response = entry.response || {};
    const bodies = Array.isArray(response.events) ? response.events.map((e) => e && e.data) : [response.body];
    return bodies.filter((b) => b && typeof b === "object" && !Array.isArray(b));
  }

  function tools(entry) {
    const el = I.el;
    const items = [];
    let grounding = null;
    let urls = null;
    for (const body of answerBodies(entry)) {
      const candidate = Array.isArray(body.candidates) ? body.candidates[0] : null;
      if (!candidate || typeof candidate !== "object") continue;
      grounding = candidate.groundingMetadata || grounding; // every chunk carries the whole
      urls = candidate.urlContextMetadata || urls;
      const parts = (candidate.content && Array.isArray(candidate.content.parts)) ? candidate.content.parts : [];
      for (const part of parts) {
        if (!part || typeof part !== "object") continue;
        if (part.functionCall) items.push(el("li", { class: "tool call", text: `calls ${part.functionCall.name}(${JSON.stringify(part.functionCall.args || {})})` }));
        if (part.toolCall) items.push(el("li", { class: "tool server", text: `server-side ${part.toolCall.toolType}: ${JSON.stringify(part.toolCall.args || {})}` }));
        if (part.executableCode) items.push(el("li", { class: "tool code" }, "runs code:", el("pre", { text: String(part.executableCode.code || "") })));
        if (part.codeExecutionResult) items.push(el("li", { class: "tool result" }, `${part.codeExecutionResult.outcome || "result"}:`, el("pre", { text: String(part.codeExecutionResult.output || "") })));
      }
    }
    if (grounding) {
      const queries = Array.isArray(grounding.webSearchQueries) ? grounding.webSearchQueries : [];
      const chunks = Array.isArray(grounding.groundingChunks) ? grounding.groundingChunks : [];
      const supports = Array.isArray(grounding.groundingSupports) ? grounding.groundingSupports : [];
      const source = (c) => (c && c.web && (c.web.title || c.web.uri))
        || (c && c.maps && `${c.maps.title || c.maps.uri} (Google Maps)`) || "(a source)";
      const lead = queries.length ? `searched ${queries.map((q) => JSON.stringify(q)).join(", ")}` : "grounded";
      items.push(el("li", { class: "tool search" }, `${lead}; ${supports.length} grounded segments from:`,
        el("ul", {}, chunks.map((c) => el("li", { class: "source", text: source(c) })))));
    }
    if (urls && Array.isArray(urls.urlMetadata)) {
      items.push(el("li", { class: "tool urls" }, "read URLs:",
        el("ul", {}, urls.urlMetadata.map((u) => el("li", { class: "url", text: `${u && u.retrievedUrl} · ${u && u.urlRetrievalStatus}` })))));
    }
    if (!items.length) return null;
    return el("section", { class: "tools" }, el("h3", { text: "Tools in the answer" }), el("ul", { class: "tool-list" }, items));
  }

  // --- a fixture ready to save: this request, and an answer to write ------------------------
  function folded(value) {
    if (Array.isArray(value)) return value.some(folded);
    if (value && typeof value === "object") {
      if (typeof value.sha256 === "string" && typeof value.size === "number") return true;
      return Object.values(value).some(folded);
    }
    return false;
  }

  function lastUserText(request) {
    const contents = Array.isArray(request.contents) ? request.contents : [];
    const turn = [...contents].reverse().find((c) => c && (c.role || "user") === "user");
    const parts = turn && Array.isArray(turn.parts) ? turn.parts : [];
    const text = parts.filter((p) => p && typeof p.text === "string").map((p) => p.text).join("").trim();
    return text || null;
  }

  // The text of an answer: a unary body's first candidate, or every event of a stream.
  function answerText(entry) {
    const response = entry.response || {};
    const bodies = Array.isArray(response.events) ? response.events.map((e) => e && e.data) : [response.body];
    let text = "";
    for (const body of bodies) {
      const candidate = body && typeof body === "object" && Array.isArray(body.candidates) ? body.candidates[0] : null;
      const parts = candidate && candidate.content && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
      for (const part of parts) if (part && typeof part.text === "string" && !part.thought) text += part.text;
    }
    return text;
  }

  function fixtureFor(entry) {
    if (!GENERATE.has(entry.rpc) || !entry.request || typeof entry.request !== "object") return null;
    const model = String(entry.model || "").replace(/^models\//, "");
    const match = { rpc: "generateContent" }; // covers streamGenerateContent too
    if (model) match.model = model;
    let note = "Matches this request exactly (the request, in canonical form).";
    if (folded(entry.request)) {
      const text = lastUserText(entry.request);
      if (!text) return { note: "Its inline data is over the journal's inline size, kept as a digest, and it has no text to match on: write the match by hand.", fixture: null };
      match.lastUserText = text;
      note = "Its inline data is over the journal's inline size (kept as a digest), so this matches on the last user text instead of the whole request.";
    } else {
      match.request = entry.request;
    }
    const text = Number(entry.status) < 400 ? answerText(entry) : "";
    const fixture = {
      description: `Journal entry ${entry.seq}` + (entry.key ? ` (request key ${entry.key})` : ""),
      match,
      answer: { text: text || PLACEHOLDER },
    };
    return { note, fixture };
  }

  async function copy(text, status) {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied.";
    } catch (_) { // no clipboard (an insecure origin, a refused permission): select it instead
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      const done = document.execCommand && document.execCommand("copy");
      area.remove();
      status.textContent = done ? "Copied." : "Select the text below and copy it.";
    }
  }

  function fixture(entry) {
    const made = fixtureFor(entry);
    if (!made) return null;
    const el = I.el;
    if (!made.fixture) return el("section", { class: "fixture" }, el("p", { class: "hint", text: made.note }));
    const text = JSON.stringify(made.fixture, null, 2) + "\n";
    const status = el("span", { class: "copied" });
    return el("section", { class: "fixture" },
      el("button", { type: "button", class: "copy-fixture", on: { click: () => copy(text, status) } }, "Copy a fixture for this request"),
      " ", status,
      el("details", {}, el("summary", { text: made.note }), el("pre", { class: "fixture-text", text })));
  }

  // --- what was sent, and what answered ----------------------------------------------------
  function headers(list) {
    const el = I.el;
    const rows = (Array.isArray(list) ? list : []).map((pair) =>
      el("tr", {}, el("th", { text: Array.isArray(pair) ? pair[0] : "" }), el("td", { text: Array.isArray(pair) ? pair[1] : pretty(pair) })));
    return el("details", { class: "headers" }, el("summary", { text: `headers (${rows.length})` }), el("table", {}, rows));
  }

  function pretty(value) { return I.pretty(value); }

  function body(value, size, what) {
    const el = I.el;
    if (value === null || value === undefined) {
      const text = size ? `(${size} bytes, over the journal's inline size: not kept)` : `(no ${what})`;
      return el("p", { class: "hint body", text });
    }
    return el("pre", { class: "body", text: pretty(value) });
  }

  function sent(entry) {
    const el = I.el;
    const travelled = entry.sent || {};
    return el("section", { class: "sent" },
      el("h3", { text: "Request" }),
      el("p", { class: "line", text: `${entry.method} ${entry.path}${entry.query ? "?" + entry.query : ""}` }),
      headers(travelled.headers),
      body(travelled.body, travelled.size, "body"),
      entry.request ? el("details", { class: "canonical" }, el("summary", { text: "as the fake read it (canonical)" }),
        el("pre", { text: pretty(entry.request) })) : null);
  }

  function answer(entry) {
    const el = I.el;
    const response = entry.response || {};
    const streamed = Array.isArray(response.events);
    return el("section", { class: "answer" },
      el("h3", { text: "Response" }),
      el("p", { class: "line" }, el("span", { class: "status " + I.statusClass(entry.status), text: entry.status }),
        streamed ? ` · ${response.events.length} events, ended ${response.end || "(not yet)"}` : ""),
      headers(response.headers),
      streamed ? timeline(entry, response.events) : body(response.body, response.size, "body"));
  }

  // A stream's events on a time line (each at its atMs), then each event.
  function timeline(entry, events) {
    const el = I.el;
    const times = events.map((e) => Number(e && e.atMs) || 0);
    const span = Math.max(Number(entry.durationMs) || 0, ...times, 1);
    const track = el("div", { class: "timeline" });
    events.forEach((event, index) => {
      const mark = el("span", { class: "tick", title: `event ${index + 1} at ${times[index].toFixed(1)} ms` });
      mark.style.left = `${(100 * times[index]) / span}%`;
      track.appendChild(mark);
    });
    const list = events.map((event, index) => el("details", { class: "event" },
      el("summary", { text: `+${times[index].toFixed(1)} ms · event ${index + 1}` }),
      el("pre", { text: pretty(event && event.data) })));
    return el("div", { class: "stream" }, track,
      el("p", { class: "scale", text: `0 ms … ${span.toFixed(1)} ms` }), ...list);
  }

  function extra(entry) {
    const rest = Object.assign({}, entry.extra || {});
    delete rest.miss;
    if (!Object.keys(rest).length) return null;
    return I.el("details", { class: "extra" }, I.el("summary", { text: "what else the journal noted" }),
      I.el("pre", { text: pretty(rest) }));
  }

  // --- images, with the answer's boxes and masks -------------------------------------------
  function inlineImages(request) {
    const found = [];
    const contents = request && Array.isArray(request.contents) ? request.contents : [];
    contents.forEach((turn, turnIndex) => {
      const parts = turn && Array.isArray(turn.parts) ? turn.parts : [];
      for (const part of parts) {
        const data = part && part.inlineData;
        if (data && typeof data.mimeType === "string" && data.mimeType.startsWith("image/")) {
          found.push({ turn: turnIndex, role: (turn.role || "user"), mimeType: data.mimeType, data: data.data });
        }
      }
    });
    return found;
  }

  async function images(holder, entry) {
    const found = inlineImages(entry.request);
    if (!holder || !found.length) return;
    const el = I.el;
    const boxes = I.vision.detections(answerText(entry));
    const lastTurn = Math.max(...found.filter((f) => f.role === "user").map((f) => f.turn), -1);
    holder.appendChild(el("h3", { text: boxes.length ? `Images, with the answer's ${boxes.length} boxes` : "Images" }));
    for (const image of found) {
      if (typeof image.data !== "string") {
        const size = image.data && image.data.size;
        holder.appendChild(el("div", { class: "image folded", text: `${image.mimeType}, ${size || "?"} bytes: over the journal's inline size, kept as its digest` + (image.data && image.data.sha256 ? ` (sha256 ${String(image.data.sha256).slice(0, 16)}…)` : "") }));
        continue;
      }
      const figure = el("figure", { class: "image" });
      holder.appendChild(figure);
      try {
        const picture = await I.vision.loadImage(`data:${image.mimeType};base64,${image.data}`);
        const canvas = el("canvas", { class: "picture" });
        figure.appendChild(canvas);
        const overlaid = image.turn === lastTurn ? boxes : [];
        const unreadable = await I.vision.draw(canvas, picture, overlaid);
        figure.appendChild(el("figcaption", { text: `${image.mimeType}, ${picture.naturalWidth}×${picture.naturalHeight}` +
          (overlaid.length ? `, ${overlaid.length} boxes` : "") + (unreadable ? `, ${unreadable} masks unreadable` : "") }));
      } catch (_) {
        figure.appendChild(el("figcaption", { text: `${image.mimeType}: the browser cannot show these bytes` }));
      }
    }
  }

  I.detail = { open, fixtureFor };
})();
