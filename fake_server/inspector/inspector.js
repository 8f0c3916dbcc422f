// The inspector page: the journal's entries, newest first, kept up to date from its feed
// (GET /__fake__/journal/stream); one opened in the detail pane (detail.js); uploads,
// fixtures, fault rules, quotas and the verdict at the side (panels.js).
"use strict";

(function () {
  const I = (window.Inspector = window.Inspector || {});
  const KEY = new URLSearchParams(window.location.search).get("key");
  const entries = new Map(); // seq -> the entry's summary, as the feed sent it
  const FILTERS = ["rpc", "model", "status", "answered"];
  let source = null;
  let opened = null; // the seq in the detail pane

  // --- what goes wrong is shown, not swallowed -------------------------------------------
  function problem(message) {
    const list = document.getElementById("problems");
    const item = document.createElement("li");
    item.textContent = String(message);
    list.appendChild(item);
    list.hidden = false;
  }
  window.addEventListener("error", (event) => problem(event.message));
  window.addEventListener("unhandledrejection", (event) =>
    problem(event.reason && event.reason.message ? event.reason.message : event.reason));

  // --- the admin API, with the page's key -------------------------------------------------
  async function api(path) {
    const headers = KEY ? { "x-goog-api-key": KEY } : {};
    const response = await fetch(path, { headers, cache: "no-store" });
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch (_) { body = text; }
    if (!response.ok) {
      const message = body && body.error && body.error.message ? body.error.message : text;
      throw new Error(`${path}: ${response.status} ${message}`);
    }
    return body;
  }

  // --- small DOM helpers, shared with detail.js and panels.js -----------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function pretty(value) {
    if (value === null || value === undefined) return "";
    return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  }

  function kindOf(answeredBy) {
    const text = String(answeredBy || "");
    return text ? text.split(":")[0] : "(none)";
  }

  function statusClass(status) {
    const n = Number(status);
    return n >= 500 ? "s5" : n >= 400 ? "s4" : n >= 300 ? "s3" : "s2";
  }

  I.api = api;
  I.el = el;
  I.pretty = pretty;
  I.kindOf = kindOf;
  I.statusClass = statusClass;
  I.entries = entries;
  I.problem = problem;
  I.key = KEY;

  // --- the requests list -----------------------------------------------------------------
  function chosen() {
    const form = document.getElementById("filters");
    return Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value]));
  }

  function shown(entry, wanted) {
    return (!wanted.rpc || entry.rpc === wanted.rpc)
      && (!wanted.model || String(entry.model) === wanted.model)
      && (!wanted.status || String(entry.status) === wanted.status)
      && (!wanted.answered || kindOf(entry.answeredBy) === wanted.answered);
  }

  function row(entry) {
    const time = entry.received ? new Date(entry.received * 1000).toLocaleTimeString([], { hour12: false }) : "";
    const ms = entry.durationMs === null || entry.durationMs === undefined
      ? (entry.done === false ? "…" : "") : Number(entry.durationMs).toFixed(1);
    const miss = entry.extra && entry.extra.miss ? el("span", { class: "tag miss", text: "miss" }) : null;
    return el("tr", {
      "data-seq": entry.seq,
      class: entry.seq === opened ? "open" : null,
      tabindex: 0,
      on: {
        click: () => open(entry.seq),
        keydown: (event) => { if (event.key === "Enter") open(entry.seq); },
      },
    },
    el("td", { text: entry.seq }),
    el("td", { text: time }),
    el("td", { class: "rpc", text: entry.rpc }),
    el("td", { class: "model", text: entry.model === null || entry.model === undefined ? "" : entry.model }),
    el("td", { class: "status " + statusClass(entry.status), text: entry.status }),
    el("td", { class: "answered", title: entry.answeredBy || "" }, el("span", { text: entry.answeredBy || "" }), miss),
    el("td", { class: "ms", text: ms }));
  }

  function fillChoices(select, values) {
    const current = select.value;
    const have = new Set(Array.from(select.options, (option) => option.value));
    for (const value of [...values].sort()) {
      if (!have.has(value)) select.appendChild(el("option", { value, text: value }));
    }
    select.value = current;
  }

  function render() {
    const all = [...entries.values()].sort((a, b) => b.seq - a.seq);
    const form = document.getElementById("filters");
    fillChoices(form.elements.rpc, new Set(all.map((e) => String(e.rpc))));
    fillChoices(form.elements.model, new Set(all.filter((e) => e.model).map((e) => String(e.model))));
    fillChoices(form.elements.status, new Set(all.map((e) => String(e.status))));
    fillChoices(form.elements.answered, new Set(all.map((e) => kindOf(e.answeredBy))));
    const wanted = chosen();
    const rows = all.filter((entry) => shown(entry, wanted)).map(row);
    document.querySelector("#requests tbody").replaceChildren(...rows);
    document.getElementById("empty").hidden = all.length > 0;
    document.getElementById("counts").textContent =
      `${all.length} request${all.length === 1 ? "" : "s"}` + (rows.length === all.length ? "" : `, ${rows.length} shown`);
    I.panels.uploads(all);
  }

  let pending = null;
  function renderSoon() { // a burst of feed events renders once
    if (pending === null) pending = window.setTimeout(() => { pending = null; render(); }, 50);
  }

  function open(seq) {
    opened = seq;
    for (const tr of document.querySelectorAll("#requests tbody tr")) {
      tr.classList.toggle("open", Number(tr.dataset.seq) === seq);
    }
    I.detail.open(seq).catch((error) => problem(error.message));
  }
  I.open = open;

  // --- the feed --------------------------------------------------------------------------
  function status(text, kind) {
    const badge = document.getElementById("feed-status");
    badge.textContent = text;
    badge.className = "feed " + kind;
  }

  function resumeAfter() { // a reconnect starts after what was seen, but before unfinished streams
    let after = 0;
    for (const entry of entries.values()) after = Math.max(after, entry.seq);
    for (const entry of entries.values()) if (entry.done === false) after = Math.min(after, entry.seq - 1);
    return after;
  }

  function received(event) {
    let entry;
    try { entry = JSON.parse(event.data); } catch (_) { problem("The feed sent an entry that is not JSON."); return; }
    if (!entry || typeof entry.seq !== "number") { problem("The feed sent an entry without a seq."); return; }
    entries.set(entry.seq, entry);
    renderSoon();
    I.panels.refreshSoon();
    if (event.type === "update" && entry.seq === opened) open(entry.seq);
  }

  function connect() {
    const params = new URLSearchParams({ since: String(resumeAfter()) });
    if (KEY) params.set("key", KEY);
    source = new EventSource("/__fake__/journal/stream?" + params);
    source.addEventListener("open", () => status("live", "live"));
    source.addEventListener("entry", received);
    source.addEventListener("update", received);
    source.addEventListener("reset", (event) => {
      let after = Infinity;
      try { after = JSON.parse(event.data).after; } catch (_) { /* empty it all */ }
      for (const seq of [...entries.keys()]) if (seq <= after) entries.delete(seq);
      if (opened !== null && opened <= after) {
        opened = null;
        document.getElementById("detail-pane").replaceChildren(
          el("p", { class: "hint", text: "The journal was reset: the request opened is no longer kept." }));
      }
      renderSoon();
      I.panels.refreshSoon();
    });
    source.addEventListener("error", () => {
      status("disconnected, retrying", "down");
      source.close();
      // EventSource does not say why; a plain request for the same journal does (a key refused).
      api(`/__fake__/journal?summary=true&since=${resumeAfter()}`).catch((error) => status(error.message, "down"));
      window.setTimeout(connect, 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("filters").addEventListener("change", render);
    render();
    connect();
    I.panels.refresh();
  });
})();
