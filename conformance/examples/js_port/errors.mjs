// The port's typed errors. The vectors name errors (invalid_box, invalid_role, ...); each name
// maps to a RuleError carrying it. API errors come in the Google envelope (docs/errors.md).

// An error of the client's own rules, named as the vectors name it.
export class RuleError extends Error {
  constructor(kind, message) {
    super(message ?? kind);
    this.name = "RuleError";
    this.kind = kind; // "invalid_box", "invalid_size", "invalid_mask", ...
  }
}

// An error the API answered: {"error": {"code", "message", "status", "details"}}.
export class ApiError extends Error {
  constructor(code, status, message, details = []) {
    super(`${code} ${status}: ${message}`);
    this.name = "ApiError";
    this.code = code; // the HTTP status, an integer
    this.status = status; // the status string, e.g. INVALID_ARGUMENT
    this.apiMessage = message;
    this.details = details;
  }

  static fromEnvelope(error) {
    return new ApiError(error.code, error.status ?? "", error.message ?? "", error.details ?? []);
  }
}

// The body ended inside an event: the answer was cut short.
export class StreamInterruptedError extends Error {
  constructor(message) {
    super(message);
    this.name = "StreamInterruptedError";
  }
}

// An event that is not a chunk: not JSON, not an object, or an error without an integer code.
export class MalformedStreamError extends Error {
  constructor(message) {
    super(message);
    this.name = "MalformedStreamError";
  }
}
