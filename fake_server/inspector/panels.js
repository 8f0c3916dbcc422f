// The side panels: upload sessions (grouped from the journal as fake_server/journal/views.py
// groups them), the loaded fixtures with how often each answered, the fault rules, the quotas
// and the resilience verdict (GET /__fake__/fixtures, /faults, /quota, /verdict).
"use strict";

(function () {
  const I = (window.Inspector = window.Inspector || {});
  let pending = null;

  function body(id) { return document.querySelector(`#${id} .body`); }

  function none(text) { return I.el("p", { class: "hint", text }); }

  function uploadId(query) {
    try { return new URLSearchParams(String(query || "")).get("upload_id") || ""; } catch (_) { return ""; }
  }

  // Each resumable upload: its start (answered by upload:<id>), then each command on its URL.
  function sessions(entries) {
    const found = new Map();
    for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
      if (entry.rpc !== "files.upload") continue;
      const extra = entry.extra || {};
      const by = String(entry.answeredBy || "");
      if (extra.command === "start") {
        if (by.startsWith("upload:")) found.set(by.slice("upload:".length), { start: entry, steps: [] });
        continue;
      }
      const session = found.get(uploadId(entry.query));
      if (session) session.steps.push(entry);
    }
    return [...found.entries()].reverse();
  }

  function uploads(entries) {
    const el = I.el;
    const list = sessions(entries).map(([id, session]) => {
      const file = (session.start.request && session.start.request.file) || {};
      const declared = Number(session.start.extra.declaredSize);
      const sent = session.steps.reduce((sum, step) => sum + (Number((step.extra || {}).bytes) || 0), 0);
      const last = session.steps.length ? session.steps[session.steps.length - 1] : session.start;
      const status = String((last.extra || {}).uploadStatus || "");
      const named = session.steps.map((s) => (s.extra || {}).fileName).find(Boolean);
      const progress = el("progress", { max: declared > 0 ? declared : 1, value: declared > 0 ? Math.min(sent, declared) : 0 });
      return el("div", { class: "upload", "data-upload": id },
        el("p", {}, el("strong", { text: file.displayName || file.display_name || named || id }), ` · ${status || "?"}`),
        progress,
        el("p", { class: "hint", text: `${sent} of ${declared > 0 ? declared : "?"} bytes` + (session.start.extra.mimeType ? ` · ${session.start.extra.mimeType}` : "") + (named ? ` · ${named}` : "") }),
        el("ol", { class: "steps" },
          el("li", { text: `#${session.start.seq} start → ${session.start.status}` }),
          session.steps.map((step) => el("li", { text: `#${step.seq} ${(step.extra || {}).command || "?"}` +
            ((step.extra || {}).bytes ? ` ${step.extra.bytes} bytes` : "") + ` → ${step.status} ${(step.extra || {}).uploadStatus || ""}` }))));
    });
    body("uploads").replaceChildren(...(list.length ? list : [none("None.")]));
  }

  function fixtures(data) {
    const el = I.el;
    const rows = (data && Array.isArray(data.fixtures) ? data.fixtures : []).map((f) =>
      el("tr", { class: Number(f.answered) ? "used" : "unused" },
        el("td", { title: (f.sources || []).join("\n") },
          el("div", { class: "names", text: (f.names || []).join(", ") }),
          el("div", { class: "hint match", text: JSON.stringify(f.match || {}) })),
        el("td", { class: "answered", text: f.answered ?? "" })));
    body("fixtures").replaceChildren(rows.length
      ? el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "fixture" }), el("th", { text: "answered" }))), el("tbody", {}, rows))
      : none("None loaded."));
  }

  function faults(data) {
    const el = I.el;
    const rules = data && Array.isArray(data.faults) ? data.faults : [];
    body("faults").replaceChildren(...(rules.length ? rules.map((rule) => el("div", { class: "rule" },
      el("p", {}, el("strong", { text: rule.id }), ` · matched ${rule.matched}, fired ${rule.fired}`),
      el("pre", { text: I.pretty(rule) }))) : [none("None.")]));
  }

  function quotas(data) {
    const el = I.el;
    const list = data && Array.isArray(data.quotas) ? data.quotas : [];
    body("quotas").replaceChildren(...(list.length ? list.map((quota) => el("p", {},
      el("strong", { text: quota.model }), " ",
      ["rpm", "tpm", "rpd"].filter((k) => quota[k] !== undefined).map((k) => `${k} ${quota[k]}`).join(", "))) : [none("None.")]));
  }

  function verdict(data) {
    const el = I.el;
    if (!data || typeof data !== "object") return;
    const findings = Array.isArray(data.findings) ? data.findings : [];
    body("verdict").replaceChildren(
      el("p", { class: data.ok ? "ok" : "bad", text: data.ok ? "No findings" : `${findings.length} finding${findings.length === 1 ? "" : "s"}` }),
      el("p", { class: "hint", text: `${data.failures} failures met, ${data.retries} retries` }),
      el("ul", {}, findings.map((f) => el("li", {}, el("strong", { text: f.rule }), `: ${f.message}`,
        Array.isArray(f.entries) && f.entries.length ? ` (#${f.entries.join(", #")})` : ""))));
  }

  async function refresh() {
    const [f, r, q, v] = await Promise.allSettled([
      I.api("/__fake__/fixtures"), I.api("/__fake__/faults"), I.api("/__fake__/quota"), I.api("/__fake__/verdict"),
    ]);
    for (const [result, show] of [[f, fixtures], [r, faults], [q, quotas], [v, verdict]]) {
      if (result.status === "fulfilled") show(result.value);
      else I.problem(result.reason.message);
    }
  }

  function refreshSoon() { // at most twice a second, however busy the feed
    if (pending === null) pending = window.setTimeout(() => { pending = null; refresh(); }, 500);
  }

  I.panels = { uploads, refresh, refreshSoon, sessions };
})();
