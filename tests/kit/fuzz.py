"""Hostile requests for every route, built from the route table and the message table.

The strategies here make requests a careless or malicious client could send: every route under
every API version, path parameters of any shape, any query, any header the fake reads, and JSON
bodies whose every field may have its proper kind, the wrong kind, or a value at the edge of its
kind (huge integers, NaN, lone surrogates, bad base64, unknown enum names), sometimes written in
the lenient syntax the service accepts or broken on purpose. :func:`problem` says what is wrong
with an answer: the fake must answer everything below 500, and every error in the envelope.

``tests/fake_server/test_fuzz.py`` runs a bounded number of them in ``make test``;
``bench/fuzz_routes.py`` runs many more against a fake on a socket and counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from fake_server.api.admin import ADMIN_PREFIX
from fake_server.api.routes import API_VERSIONS, ROUTE_TABLE
from fake_server.model import catalog
from fake_server.protocol.messages import ENUMS, MESSAGES

KEY = "fuzz-key"
DEPTH = 3  # messages nest at most this deep (Schema refers to itself)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __repr__(self) -> str:  # what hypothesis shows of a failing example
        shown = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
        return f"Request({self.method} {self.path} {self.headers} {shown!r})"


# --- JSON values -------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec=None), max_size=12) | st.sampled_from(
    ["", "\ud800", "a\x00b", "<b>", "How does AI work?", "x" * 200]
)
NUMBERS = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, -1, 2**31, 2**63, 10**400, 1e308])
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def field_value(kind: str, depth: int) -> st.SearchStrategy[Any]:
    """A value for a field of ``kind``: usually of that kind, sometimes anything at all."""
    return st.one_of(_proper(kind, depth), _proper(kind, depth), ANY_JSON)


def _proper(kind: str, depth: int) -> st.SearchStrategy[Any]:
    if kind.endswith("[]"):
        item = field_value(kind[:-2], depth)
        return st.lists(item, max_size=3) | item
    if kind.startswith("map:"):
        return st.dictionaries(TEXT, field_value(kind[4:], depth), max_size=2)
    if kind.startswith("enum:"):
        values = ENUMS[kind[5:]]
        return st.sampled_from(values) | st.integers(-2, len(values) + 2) | TEXT
    if kind in MESSAGES:
        return message(kind, depth + 1)
    return SCALARS[kind]


SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "string": TEXT,
    "bool": st.booleans() | st.sampled_from(["true", 1]),
    "int32": NUMBERS | st.sampled_from(["12", "1" * 5000, "-0"]),
    "int64": NUMBERS | st.sampled_from(["12", "1" * 5000]),
    "count": NUMBERS,
    "float": NUMBERS | st.sampled_from(["0.5", "NaN", "Infinity"]),
    "double": NUMBERS | st.sampled_from(["0.5", "-Infinity"]),
    "bytes": st.sampled_from(["aGk=", "aGk", "_-8=", "!!", "", "iVBORw0KGgo="]) | TEXT,
    "struct": st.dictionaries(TEXT, ANY_JSON, max_size=3),
    "value": ANY_JSON,
}


def message(name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object read as ``name``: any of its fields, and now and then an unknown one."""
    if depth > DEPTH:
        return st.just({})
    fields = MESSAGES[name]
    known = st.fixed_dictionaries(
        {}, optional={key: field_value(kind, depth) for key, kind in fields.items()}
    )
    unknown = st.dictionaries(TEXT, ANY_JSON, max_size=1)
    return st.builds(lambda a, b: {**b, **a}, known, unknown | st.just({}))


GENERATE_BODY = st.one_of(
    message("GenerateContentRequest"),
    st.fixed_dictionaries(  # mostly valid, so the answering code runs too
        {"contents": st.just([{"role": "user", "parts": [{"text": "How does AI work?"}]}])},
        optional={"generationConfig": message("GenerationConfig", 1)},
    ),
)

BATCH_BODY = st.one_of(
    message("BatchGenerateContentRequest"),
    st.fixed_dictionaries(  # mostly valid, so batches are made and answered too
        {
            "batch": st.fixed_dictionaries(
                {"inputConfig": st.fixed_dictionaries({"requests": message("InlinedRequests", 1)})}
            )
        }
    ),
)


MODEL_NAMES = st.sampled_from(["models/gemini-2.5-flash", "gemini-2.0-flash", "models/nope", ""])
CACHE_BODY = st.one_of(
    message("CachedContent"),
    st.fixed_dictionaries(  # mostly valid, so creating and updating run too
        {"model": MODEL_NAMES},
        optional={
            "contents": st.just([{"role": "user", "parts": [{"text": "word " * 1100}]}]),
            "ttl": st.sampled_from(["300s", "0s", "-5s", "1.5s", "9" * 13 + "s", "x"]),
            "expireTime": st.sampled_from(
                ["2030-01-01T00:00:00Z", "2000-01-01T00:00:00.123456789Z", "9999-12-31T23:59:59Z"]
            ),
            "displayName": TEXT,
        },
    ),
)
# The bodies of the other POST routes, by rpc (the rest get generate bodies).
BODIES = {
    "embedContent": message("EmbedContentRequest"),
    "batchEmbedContents": message("BatchEmbedContentsRequest"),
}


def encoded(value: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """JSON text of ``value``, as sent or bent: lenient syntax, cut short, or not JSON at all."""

    def write(data: Any, how: str) -> bytes:
        text = json.dumps(data, allow_nan=True)
        if how == "trailing comma" and text.endswith(("]", "}")):
            text = text[:-1] + "," + text[-1]
        elif how == "single quotes":
            text = text.replace('"', "'")
        elif how == "cut short":
            text = text[: len(text) // 2]
        elif how == "deep":
            text = "[" * 5000 + "]" * 5000
        return text.encode("utf-8", "surrogatepass")

    hows = st.sampled_from(["as is"] * 6 + ["trailing comma", "single quotes", "cut short", "deep"])
    return st.builds(write, value, hows) | st.binary(max_size=64)


# --- requests --------------------------------------------------------------------------------

MODELS = st.sampled_from(
    [m.id for m in catalog.MODELS[:6]] + ["gemini-embedding-001"]
) | st.sampled_from(["nope", "models%2Fx", "%00", "a" * 300, "gemini-2.5-flash%0d%0a", "..%2F"])
IDS = st.sampled_from(["abc123", "nope", "%00", "%0d%0a", "x" * 300, ""]) | st.text(
    "abcdefghijklmnopqrstuvwxyz0123456789-_%", max_size=45
)
QUERY_VALUES = st.sampled_from(["", "1", "-1", "0", "abc", "99999999999999999999", "%00"])


def _path(template: str, version: str, model: str, file: str) -> str:
    named = template.replace("{v}", version).replace("{model}", model)
    return named.replace("{file}", file).replace("{cache}", file).replace("{batch}", file)


@st.composite
def api_request(draw: st.DrawFn) -> Request:
    """A request to a route of the route table."""
    spec = draw(st.sampled_from(ROUTE_TABLE))
    version = draw(st.sampled_from(API_VERSIONS))
    path = _path(spec.path, version, draw(MODELS), draw(IDS))
    query = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["alt", "pageSize", "pageToken", "page_size", "key", "x"]),
                st.sampled_from(["sse", "json"]) | QUERY_VALUES,
            ),
            max_size=3,
        )
    )
    if query:
        path += "?" + "&".join(f"{name}={value}" for name, value in query)
    headers = {"x-goog-api-key": KEY} if draw(st.integers(0, 9)) else {}
    body = b""
    if spec.rpc.startswith("cachedContents."):
        body = draw(encoded(CACHE_BODY)) if spec.method in ("POST", "PATCH") else b""
    elif spec.rpc == "batchGenerateContent":
        body = draw(encoded(BATCH_BODY))
    elif spec.method == "POST" and spec.rpc != "files.upload":
        body = draw(encoded(BODIES.get(spec.rpc, GENERATE_BODY)))
    elif spec.rpc == "files.upload":
        return draw(upload_request(version))
    return Request(spec.method, path, headers, body)


FILE_FIELDS = {
    "displayName": TEXT | st.just("n" * 600) | ANY_JSON,
    "name": IDS | ANY_JSON,
    "mimeType": TEXT,
    "sizeBytes": NUMBERS | st.sampled_from(["5", "1" * 5000, "1e999"]),
}
START_BODY = st.fixed_dictionaries(
    {}, optional={"file": st.fixed_dictionaries({}, optional=FILE_FIELDS) | ANY_JSON}
)
UPLOAD_HEADERS = {
    "x-goog-upload-command": st.sampled_from(
        ["start", "upload", "finalize", "upload, finalize", "query", "cancel", "bogus", ""]
    ),
    "x-goog-upload-offset": QUERY_VALUES,
    "x-goog-upload-header-content-length": QUERY_VALUES | st.just("1e999"),
    "x-goog-upload-header-content-type": st.sampled_from(["text/plain", "image/png", "x", ""]),
    "x-goog-api-key": st.just(KEY),
}


@st.composite
def upload_request(draw: st.DrawFn, version: str = "v1beta") -> Request:
    """A start or a command on an upload URL, with any of the headers the protocol reads."""
    headers = draw(st.fixed_dictionaries({}, optional=UPLOAD_HEADERS))
    path = f"/upload/{version}/files"
    if draw(st.booleans()):
        path += f"?upload_id={draw(IDS)}&upload_protocol=resumable"
        body = draw(st.binary(max_size=32))
    else:
        body = draw(encoded(START_BODY | ANY_JSON))
    return Request("POST", path, headers, body)


@st.composite
def other_request(draw: st.DrawFn) -> Request:
    """The admin routes, and paths and methods the fake does not serve."""
    method = draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"]))
    path = draw(
        st.sampled_from(
            [
                f"{ADMIN_PREFIX}/journal",
                f"{ADMIN_PREFIX}/fixtures",
                f"{ADMIN_PREFIX}/reset",
                f"{ADMIN_PREFIX}/health",
                f"{ADMIN_PREFIX}/faults",
                f"{ADMIN_PREFIX}/faults/fault-1",
                f"{ADMIN_PREFIX}/quota",
                f"{ADMIN_PREFIX}/clock",
                f"{ADMIN_PREFIX}/verdict",
                f"{ADMIN_PREFIX}/reload",
                f"{ADMIN_PREFIX}/journal?rpc=generateContent&model=x",
                "/v1beta/files/",
                "/v1beta/models/gemini-2.5-flash:embedContent",
                "/v2/models",
                "/",
            ]
        )
    )
    body = draw(st.binary(max_size=16) | encoded(ANY_JSON) | encoded(CONTROL_BODY))
    return Request(method, path, {"x-goog-api-key": KEY}, body)


# Bodies the control routes read: fault rules, quotas, clock moves, fixtures, mostly bent.
CONTROL_BODY = st.fixed_dictionaries(
    {},
    optional={
        "match": st.fixed_dictionaries({}, optional={"rpc": TEXT, "model": TEXT}) | ANY_JSON,
        "calls": ANY_JSON,
        "error": st.fixed_dictionaries({"status": ANY_JSON}) | ANY_JSON,
        "delay": st.sampled_from([0, [0, 0], -1, 1e300]) | ANY_JSON,
        "model": TEXT,
        "rpm": NUMBERS,
        "advance": NUMBERS | TEXT,
        "answer": ANY_JSON,
    },
)


REQUESTS = st.one_of(api_request(), api_request(), upload_request(), other_request())


# --- what an answer must be --------------------------------------------------------------------


def problem(status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with an answer, or None: below 500, and every error in the envelope."""
    if status >= 500:
        return f"status {status}: {body[:300]!r}"
    if status < 400:
        return None
    if not content_type.startswith(("application/json", "text/event-stream")):
        return f"an error of type {content_type!r}: {body[:300]!r}"
    try:
        data = json.loads(body)
    except ValueError:
        return f"an error that is not JSON: {body[:300]!r}"
    if isinstance(data, list) and len(data) == 1:  # a refused JSON-array stream
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if not (
        isinstance(error, dict)
        and error.get("code") == status
        and isinstance(error.get("message"), str)
        and isinstance(error.get("status"), str)
    ):
        return f"an error outside the envelope: {body[:300]!r}"
    return None
