// Chats (docs/chats.md): a comprehensive history of every turn, and the curated one each
// request sends before the new message.

import { RuleError } from "./errors.mjs";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// A model turn is valid when its content has a non-empty parts list and no empty part ({}).
export function isValidContent(content) {
  if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
    return false;
  }
  return content.parts.every((part) => isObject(part) && Object.keys(part).length > 0);
}

// Curates a history: a run of consecutive model turns is kept whole if every turn of it is
// valid, else dropped with the user turn just before it. A role other than user or model is
// invalid_role.
export function curate(history) {
  for (const content of history) {
    if (!isObject(content) || (content.role !== "user" && content.role !== "model")) {
      const role = JSON.stringify(content?.role);
      throw new RuleError("invalid_role", `a history turn has the role ${role}`);
    }
  }
  const curated = [];
  let i = 0;
  while (i < history.length) {
    if (history[i].role === "user") {
      curated.push(history[i]);
      i += 1;
      continue;
    }
    const run = [];
    while (i < history.length && history[i].role === "model") run.push(history[i++]);
    if (run.every(isValidContent)) curated.push(...run);
    else if (curated.length > 0 && curated[curated.length - 1].role === "user") curated.pop();
  }
  return curated;
}

// A chat over a transport: { generate(contents) -> response, stream(contents) -> async
// iterable of chunks }. Each turn sends the curated history and the new message.
export class Chat {
  constructor(transport, history = []) {
    this.transport = transport;
    this.comprehensive = [...history];
    this.curated = curate(history);
  }

  history({ curated = false } = {}) {
    return curated ? [...this.curated] : [...this.comprehensive];
  }

  userTurn(message) {
    return { role: "user", parts: [{ text: message }] };
  }

  // With no output at all (no chunk had a content) the model's turn is {role: model, parts: []},
  // so the history still alternates.
  record(user, outputs, valid) {
    const turn = outputs.length > 0 ? outputs : [{ role: "model", parts: [] }];
    this.comprehensive.push(user, ...turn);
    if (valid) this.curated.push(user, ...turn);
  }

  // A unary turn: the answer's first candidate's content is recorded as received; without a
  // candidate or content, {role: model, parts: []}.
  async send(message) {
    const user = this.userTurn(message);
    const response = await this.transport.generate([...this.curated, user]);
    const content = response?.candidates?.[0]?.content;
    const output = content ?? { role: "model", parts: [] };
    this.record(user, [output], isValidContent(output));
    return response;
  }

  // A streamed turn: each chunk's content is a model turn of its own (a chunk without a
  // candidate or content adds none); the turn is valid when every chunk's content is valid
  // (so such a chunk makes it invalid) and some chunk has a finishReason. Recorded only once the
  // stream has been read to its end: an abandoned or failed stream records nothing.
  async *sendStream(message) {
    const user = this.userTurn(message);
    const outputs = [];
    let valid = true;
    let finished = false;
    for await (const chunk of this.transport.stream([...this.curated, user])) {
      const candidate = chunk?.candidates?.[0];
      const content = candidate?.content;
      if (content !== undefined && content !== null) outputs.push(content);
      if (!isValidContent(content)) valid = false;
      if (candidate?.finishReason) finished = true;
      yield chunk;
    }
    this.record(user, outputs, valid && finished && outputs.length > 0);
  }
}
