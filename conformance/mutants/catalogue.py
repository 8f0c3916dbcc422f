"""The mutants: small, realistic protocol bugs in the fake, each as an exact snippet of the
current source and its replacement.

Each is the kind of mistake a port of the fake (or a regression) would make. ``old`` must occur
exactly once in ``path`` (``conformance/test_mutant_catalogue.py`` checks it), so a refactor
that moves the code shows here at once and the catalogue is brought up to date with it.
``canary`` marks a mutant any suite must kill: if it survives, the run was not testing the
mutated copy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # relative to the repository root
    old: str
    new: str
    why: str  # the protocol rule it breaks
    area: str = ""
    canary: bool = False


WIRE = "fake_server/protocol/wire.py"
CHUNKING = "fake_server/model/chunking.py"
SHAPING = "fake_server/model/shaping.py"
VALIDATE = "fake_server/model/validate.py"
TRANSCODE = "fake_server/protocol/transcode.py"
UPLOADS = "fake_server/api/uploads.py"
INTAKE = "fake_server/http/intake.py"
ERRORS = "fake_server/protocol/errors.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "canary_generate_route",
        "fake_server/api/routes.py",
        '"/{v}/models/{model}:generateContent", "generateContent"',
        '"/{v}/models/{model}:generate", "generateContent"',
        "generateContent moved to another path: every generate test must fail",
        "routes",
        canary=True,
    ),
    # --- SSE and JSON-array stream framing ------------------------------------------------
    Mutant(
        "sse_lf_separator",
        WIRE,
        'return b"data: " + _utf8(line) + b"\\r\\n\\r\\n"',
        'return b"data: " + _utf8(line) + b"\\n\\n"',
        "the service ends each SSE event with CRLF CRLF, not LF LF",
        "sse",
    ),
    Mutant(
        "sse_space_after_comma",
        WIRE,
        'separators=(",", ": ")',
        'separators=(", ", ": ")',
        "an SSE event's JSON has a space after each colon and none after commas",
        "sse",
    ),
    Mutant(
        "sse_no_content_disposition",
        "fake_server/http/responses.py",
        'headers.append((b"content-disposition", b"attachment"))',
        "pass",
        "an SSE answer carries Content-Disposition: attachment",
        "sse",
    ),
    Mutant(
        "sse_error_as_event",
        "fake_server/http/responses.py",
        "body = dumps_pretty(error.envelope())",
        'body = b"data: " + dumps_pretty(error.envelope())',
        "an error before an SSE stream starts is the bare JSON envelope, not an event",
        "sse",
    ),
    Mutant(
        "sse_alt_ignored",
        "fake_server/http/adapter.py",
        'if query == b"alt=sse":  # what the SDKs send\n        return "sse"',
        'if query == b"alt=sse":  # what the SDKs send\n        return "array"',
        "?alt=sse asks for server-sent events, not the JSON-array stream",
        "sse",
    ),
    Mutant(
        "array_separator_lf",
        WIRE,
        'ARRAY_HEAD, ARRAY_SEPARATOR, ARRAY_TAIL = b"[", b"\\n,\\r\\n", b"\\n]"',
        'ARRAY_HEAD, ARRAY_SEPARATOR, ARRAY_TAIL = b"[", b",\\n", b"\\n]"',
        "JSON-array stream elements are separated by LF , CR LF",
        "array",
    ),
    Mutant(
        "array_error_unwrapped",
        "fake_server/http/responses.py",
        "return GoogleResponse(dumps_array([error.envelope()]), error.code, extra_headers=headers)",
        "return GoogleResponse(dumps_pretty(error.envelope()), error.code, extra_headers=headers)",
        "an error on a JSON-array stream is the array's one element",
        "array",
    ),
    Mutant(
        "stream_finish_reason_every_chunk",
        CHUNKING,
        'if key in ("finishReason", "finishMessage") and not last:',
        'if key == "finishMessage" and not last:',
        "only a stream's last chunk carries finishReason",
        "sse",
    ),
    Mutant(
        "stream_model_version_last_only",
        CHUNKING,
        'if key not in ("candidates", "usageMetadata"):',
        'if key not in ("candidates", "usageMetadata") and last:',
        "every stream chunk carries modelVersion and responseId",
        "sse",
    ),
    Mutant(
        "gemini3_signature_on_first_piece",
        CHUNKING,
        'sign_last = str(body.get("modelVersion", "")).startswith("gemini-3")',
        "sign_last = False",
        "Gemini 3 signs a streamed text answer in a last chunk of its own (empty text)",
        "sse",
    ),
    Mutant(
        "stream_thoughts_counted_early",
        CHUNKING,
        "answering = False  # thought-only chunks report no thoughts yet, as the service's do",
        "answering = True",
        "thought-only stream chunks report no thoughtsTokenCount until the answer begins",
        "usage",
    ),
    # --- JSON serialisation --------------------------------------------------------------
    Mutant(
        "angles_not_escaped",
        WIRE,
        'return text.replace("<", "\\\\u003c").replace(">", "\\\\u003e")',
        "return text",
        "the service writes < and > inside strings as \\u003c and \\u003e",
        "json",
    ),
    Mutant(
        "unary_ascii_escaped",
        WIRE,
        'json.dumps(obj, indent=2, ensure_ascii=False)) + "\\n")',
        'json.dumps(obj, indent=2, ensure_ascii=True)) + "\\n")',
        "non-ASCII text in a unary body is raw UTF-8, not \\uXXXX",
        "json",
    ),
    Mutant(
        "unary_no_trailing_newline",
        WIRE,
        'ensure_ascii=False)) + "\\n")',
        "ensure_ascii=False)))",
        "a unary body ends with a newline",
        "json",
    ),
    Mutant(
        "sse_ascii_escaped",
        WIRE,
        'line = _escape_angles(json.dumps(obj, separators=(",", ": "), ensure_ascii=False))',
        'line = _escape_angles(json.dumps(obj, separators=(",", ": "), ensure_ascii=True))',
        "non-ASCII text in an SSE event is raw UTF-8, not \\uXXXX",
        "json",
    ),
    Mutant(
        "int64_size_as_number",
        "fake_server/store/records.py",
        "sizeBytes=str(self.size),  # int64 travels as a string",
        "sizeBytes=self.size,",
        "int64 fields (a file's sizeBytes) travel as JSON strings",
        "json",
    ),
    Mutant(
        "sha256_of_digest",
        "fake_server/store/records.py",
        "return base64.b64encode(self.sha256_hex.encode()).decode()",
        "return base64.b64encode(bytes.fromhex(self.sha256_hex)).decode()",
        "a file's sha256Hash is base64 of the lowercase hex digest, not of the raw digest",
        "json",
    ),
    Mutant(
        "json_content_type_no_charset",
        WIRE,
        'JSON_CONTENT_TYPE = "application/json; charset=UTF-8"',
        'JSON_CONTENT_TYPE = "application/json"',
        "JSON answers are Content-Type: application/json; charset=UTF-8",
        "json",
    ),
    # --- usage and token arithmetic ------------------------------------------------------
    Mutant(
        "thoughts_zero_present",
        SHAPING,
        '    if thoughts:\n        meta["thoughtsTokenCount"] = thoughts',
        '    if True:\n        meta["thoughtsTokenCount"] = thoughts',
        "usage leaves zero counts out: no thoughtsTokenCount when the model did not think",
        "usage",
    ),
    Mutant(
        "budget_zero_ignored",
        SHAPING,
        "if rules is None or budget == 0 or (budget is None and not rules.on_by_default):",
        "if rules is None or (budget is None and not rules.on_by_default):",
        "thinkingBudget 0 turns thinking off on a model that allows it",
        "usage",
    ),
    Mutant(
        "total_without_thoughts",
        SHAPING,
        'meta["totalTokenCount"] = prompt_total + candidates + thoughts + tool_use',
        'meta["totalTokenCount"] = prompt_total + candidates + tool_use',
        "totalTokenCount = prompt + candidates + thoughts + tool use",
        "usage",
    ),
    Mutant(
        "count_tokens_contents_only",
        "fake_server/api/generate.py",
        "totals = tokens.count_request(counted, files.file_tokens(call.state.store, model.family))",
        "totals = tokens.count_contents(\n"
        '        counted.get("contents", []), files.file_tokens(call.state.store, model.family)\n'
        "    )",
        "countTokens counts what generate's promptTokenCount counts: system instruction and"
        " tools too",
        "usage",
    ),
    # --- image tokens --------------------------------------------------------------------
    Mutant(
        "small_image_exclusive",
        "fake_server/model/images.py",
        "if width <= SMALL_SIDE and height <= SMALL_SIDE:",
        "if width < SMALL_SIDE and height < SMALL_SIDE:",
        "an image with both sides at most 384 pixels is one tile of 258 tokens",
        "images",
    ),
    Mutant(
        "gemini3_image_default",
        "fake_server/model/media_tokens.py",
        '"image": {LOW: 280, MEDIUM: 560, HIGH: 1120, ULTRA: 2240, None: 1120},',
        '"image": {LOW: 280, MEDIUM: 560, HIGH: 1120, ULTRA: 2240, None: 560},',
        "an image on Gemini 3 costs 1,120 tokens at the default resolution",
        "images",
    ),
    Mutant(
        "part_resolution_on_2x",
        "fake_server/model/media_tokens.py",
        '    if family == "3":\n        own = part.get("mediaResolution")',
        '    if True:\n        own = part.get("mediaResolution")',
        "a part's own mediaResolution is a Gemini 3 setting; 2.x models ignore it",
        "images",
    ),
    # --- the error envelope --------------------------------------------------------------
    Mutant(
        "envelope_no_status",
        ERRORS,
        '"message": self.message, "status": self.status}',
        '"message": self.message}',
        "the envelope carries the canonical status string",
        "errors",
    ),
    Mutant(
        "envelope_code_as_string",
        ERRORS,
        '{"code": self.code, "message"',
        '{"code": str(self.code), "message"',
        "the envelope's code is the HTTP status as a JSON number",
        "errors",
    ),
    Mutant(
        "envelope_no_details",
        ERRORS,
        '        if self.details:\n            error["details"] = self.details',
        "        if False:\n            pass",
        "the envelope carries the error's details (BadRequest, ErrorInfo, ...)",
        "errors",
    ),
    Mutant(
        "invalid_argument_status",
        ERRORS,
        'return ApiError(400, "INVALID_ARGUMENT", message, details)',
        'return ApiError(400, "BAD_REQUEST", message, details)',
        "a 400 for a bad value is INVALID_ARGUMENT",
        "errors",
    ),
    Mutant(
        "json_error_prefix",
        "fake_server/protocol/json_body.py",
        'PREFIX = "Invalid JSON payload received. "',
        'PREFIX = "Invalid JSON payload. "',
        "an unreadable body's message starts 'Invalid JSON payload received. '",
        "errors",
    ),
    # --- the resumable upload protocol ---------------------------------------------------
    Mutant(
        "upload_no_status_header",
        UPLOADS,
        'extra = {"x-goog-upload-status": status, **(headers or {})}',
        "extra = {**(headers or {})}",
        "every upload reply carries X-Goog-Upload-Status",
        "uploads",
    ),
    Mutant(
        "upload_offset_unchecked",
        UPLOADS,
        "received, appender = store.append(session.upload_id, offset)",
        "received, appender = store.append(\n"
        "        session.upload_id, store.received(session.upload_id)\n"
        "    )",
        "a chunk whose X-Goog-Upload-Offset is not the bytes received so far is refused",
        "uploads",
    ),
    Mutant(
        "upload_query_final",
        UPLOADS,
        'return upload_reply("active", upload_id, headers={"x-goog-upload-size-received"',
        'return upload_reply("final", upload_id, headers={"x-goog-upload-size-received"',
        "a query answers status active; it never finalizes",
        "uploads",
    ),
    Mutant(
        "upload_finalize_short",
        UPLOADS,
        "if session.declared_size is not None and received != session.declared_size:",
        "if session.declared_size is not None and received > session.declared_size:",
        "finalize needs exactly the declared number of bytes",
        "uploads",
    ),
    Mutant(
        "upload_final_unwrapped",
        UPLOADS,
        'body = dumps_pretty({"file": stored.resource(store.clock())})',
        "body = dumps_pretty(stored.resource(store.clock()))",
        'finalize answers {"file": {...}}',
        "uploads",
    ),
    Mutant(
        "upload_start_without_key",
        UPLOADS,
        "        authenticate(call.request, call.state.config)\n        response = await start",
        "        response = await start",
        "starting an upload needs the API key (only the upload URL is a capability)",
        "uploads",
    ),
    # --- chats, history, function turns --------------------------------------------------
    Mutant(
        "function_responses_fewer",
        VALIDATE,
        "if responses != previous_calls:",
        "if responses > previous_calls:",
        "function responses must match the calls of the turn before in number",
        "chats",
    ),
    Mutant(
        "role_system_accepted",
        VALIDATE,
        'VALID_ROLES = ("user", "model")',
        'VALID_ROLES = ("user", "model", "system")',
        "a content's role is user or model",
        "chats",
    ),
    Mutant(
        "gemini3_signatures_unchecked",
        VALIDATE,
        '    if model.family == "3":\n        check_thought_signatures(contents)',
        '    if model.family == "4":\n        check_thought_signatures(contents)',
        "Gemini 3 refuses an unsigned function call in the current turn",
        "chats",
    ),
    # --- request normalisation -----------------------------------------------------------
    Mutant(
        "snake_case_refused",
        TRANSCODE,
        "for spelling in (json_name, snake(json_name))",
        "for spelling in (json_name,)",
        "the service reads every field by its JSON (camelCase) or proto (snake_case) name",
        "transcode",
    ),
    Mutant(
        "urlsafe_base64_refused",
        TRANSCODE,
        'text = value.replace("-", "+").replace("_", "/").strip()',
        "text = value.strip()",
        "bytes fields take the URL-safe base64 alphabet too",
        "transcode",
    ),
    Mutant(
        "unpadded_base64_refused",
        TRANSCODE,
        '    text += "=" * (-len(text) % 4)\n',
        "",
        "bytes fields take base64 without its padding",
        "transcode",
    ),
    Mutant(
        "int_as_string_refused",
        TRANSCODE,
        "        number = _number(value)\n        limit = _INT_LIMITS[kind]",
        "        number = None if isinstance(value, str) else _number(value)\n"
        "        limit = _INT_LIMITS[kind]",
        "integer fields take a number or a string of one (int64 travel as strings)",
        "transcode",
    ),
    Mutant(
        "unknown_field_accepted",
        TRANSCODE,
        "            problems.unknown.append((key, path))\n",
        "",
        "an unknown field name is refused: Unknown name ... Cannot find field",
        "transcode",
    ),
    # --- routes --------------------------------------------------------------------------
    Mutant(
        "v1_not_served",
        "fake_server/api/routes.py",
        'API_VERSIONS = ("v1beta", "v1", "v1alpha")',
        'API_VERSIONS = ("v1beta", "v1alpha")',
        "the API is served under /v1 as well as /v1beta (the Python SDK's default)",
        "routes",
    ),
    Mutant(
        "model_method_unchecked",
        "fake_server/http/adapter.py",
        "if model is None or method not in model.methods:",
        "if model is None:",
        "a model that does not support a method answers 404 for it",
        "routes",
    ),
    # --- auth ----------------------------------------------------------------------------
    Mutant(
        "key_query_ignored",
        INTAKE,
        '        key = request.query_params.get("key")',
        "        key = None",
        "the API key may come as ?key= as well as x-goog-api-key",
        "auth",
    ),
    Mutant(
        "missing_key_status",
        INTAKE,
        "raise permission_denied(UNREGISTERED_CALLER)",
        "raise invalid_argument(UNREGISTERED_CALLER)",
        "a call without a key is 403 PERMISSION_DENIED",
        "auth",
    ),
    Mutant(
        "invalid_key_status",
        INTAKE,
        "raise invalid_argument(\n            INVALID_KEY,",
        "raise permission_denied(\n            INVALID_KEY,",
        "a key the service does not know is 400 INVALID_ARGUMENT with API_KEY_INVALID",
        "auth",
    ),
)

BY_NAME = {mutant.name: mutant for mutant in MUTANTS}
