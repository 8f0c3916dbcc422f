"""The built-in tools: Google Search grounding, code execution and URL context, in the service's
shapes (docs/evidence.md#service-grounding, #service-builtin-tools). Nothing is searched, run or
fetched: every result is invented, seeded by the request, so the same request gets the same one.

- **Search** (``googleSearch``, and the 1.5-era ``googleSearchRetrieval``): one or two queries
  made from the prompt, two to four sources behind the service's redirect URIs, each titled with
  a bare domain, and a support for sentences of the final answer. A support's ``segment`` holds
  UTF-8 **byte** offsets into the answer's text, ``startIndex`` left out when 0, and its
  ``text`` is exactly that slice.
- **Code execution** (``codeExecution``): an ``executableCode`` part and its
  ``codeExecutionResult`` before the text. An arithmetic expression in the prompt is printed,
  its value worked out by walking its syntax tree (never ``eval``); otherwise the code counts the
  prompt's words, whose number is known without running anything.
- **URL context** (``urlContext``): one ``urlMetadata`` entry per URL in the prompt, a host that
  cannot be reached from the internet (``localhost``, ``.invalid``, ``.test``, ``.example``,
  ``.local``, a private or loopback address) getting ``URL_RETRIEVAL_STATUS_ERROR``.

Search and URL context add ``toolUsePromptTokenCount``: what the retrieved material costs.

On Gemini 3, a request that sets ``toolConfig.includeServerSideToolInvocations`` also sees the
search and the URL fetch themselves (:func:`invocations`): a ``toolCall`` part and its
``toolResponse``, sharing an 8-character id, with the arguments and results the service's tool
combination documents (``queries`` / ``search_suggestions``, ``urls`` / ``urls_metadata``).
Code execution has no tool type of its own: its ``executableCode`` and ``codeExecutionResult``
parts already show it.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import ipaddress
import operator
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

SEARCH_TOOLS = ("googleSearch", "googleSearchRetrieval")
TOOLS = (*SEARCH_TOOLS, "codeExecution", "urlContext")
REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
DOMAINS = (
    "wikipedia.org",
    "britannica.com",
    "nationalgeographic.com",
    "bbc.com",
    "reuters.com",
    "nasa.gov",
    "nature.com",
    "sciencedaily.com",
    "khanacademy.org",
    "howstuffworks.com",
    "theguardian.com",
    "nih.gov",
)
# The built-in tool each ToolType stands for, in the order their invocations are shown
TOOL_TYPES = {"googleSearch": "GOOGLE_SEARCH_WEB", "urlContext": "URL_CONTEXT"}
_ID_ALPHABET = string.ascii_lowercase + string.digits + string.ascii_uppercase
UNREACHABLE_SUFFIXES = (".invalid", ".test", ".example", ".local", ".localhost", ".internal")
_URL = re.compile(r"https?://[^\s<>\"'`)\]}]+")
_ARITHMETIC = re.compile(r"[-+(]*\d[\d.]*(?:\s*(?:\*\*|//|[-+*/%^])\s*[-+(]*\d[\d.]*\)*)+\)*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
MAX_EXPONENT = 64
MAX_MAGNITUDE = 10**30


@dataclass(frozen=True)
class Search:
    queries: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (redirect uri, title)


@dataclass(frozen=True)
class Builtin:
    """What the built-in tools give one answer."""

    search: Search | None = None
    code: tuple[dict[str, Any], ...] = ()  # the executableCode and codeExecutionResult parts
    urls: tuple[dict[str, str], ...] = ()  # urlMetadata entries
    tool_tokens: int = 0  # toolUsePromptTokenCount
    said: str = ""  # the sentence the answer opens with


def tools_of(request: dict[str, Any]) -> set[str]:
    """The built-in tools the request declares."""
    return {
        name
        for tool in request.get("tools", [])
        if isinstance(tool, dict)
        for name in TOOLS
        if name in tool
    }


def plan(request: dict[str, Any], prompt: str, topic: str, rng: random.Random) -> Builtin | None:
    """What the declared built-in tools give for ``prompt`` (the last user turn's text);
    None when the request declares none."""
    tools = tools_of(request)
    if not tools:
        return None
    search = _search(topic, rng) if tools & set(SEARCH_TOOLS) else None
    tool_tokens = sum(rng.randint(80, 400) for _ in search.queries) if search else 0
    code: tuple[dict[str, Any], ...] = ()
    said = ""
    if "codeExecution" in tools:
        source, outcome, output = program(prompt)
        result: dict[str, Any] = {"outcome": outcome, "output": output}
        code = ({"executableCode": {"language": "PYTHON", "code": source}},)
        code += ({"codeExecutionResult": result},)
        said = (
            f"Running the code prints {output.strip()}."
            if outcome == "OUTCOME_OK"
            else "The code stopped with an error, so there is no result to report."
        )
    urls: tuple[dict[str, str], ...] = ()
    if "urlContext" in tools:
        urls = tuple(
            {"retrievedUrl": url, "urlRetrievalStatus": status}
            for url, status in url_statuses(prompt)
        )
        tool_tokens += sum(
            rng.randint(300, 2500) for u in urls if u["urlRetrievalStatus"].endswith("SUCCESS")
        )
    return Builtin(search, code, urls, tool_tokens, said)


def _search(topic: str, rng: random.Random) -> Search:
    query = topic.rstrip("?.!:…").strip().lower() or "general information"
    queries = [query]
    if rng.random() < 0.5:
        queries.append(f"{query} explained")
    titles = rng.sample(DOMAINS, rng.randint(2, 4))
    sources = tuple((REDIRECT + _redirect_id(rng), title) for title in titles)
    return Search(tuple(queries), sources)


def _redirect_id(rng: random.Random) -> str:
    """An opaque id of the length the service's have (about 120 to 200 characters)."""
    raw = hashlib.sha512(rng.getrandbits(128).to_bytes(16, "big")).digest()
    return (
        "AUZIYQ" + base64.urlsafe_b64encode(raw * 2).decode().rstrip("=")[: rng.randint(110, 190)]
    )


def grounding_metadata(search: Search, text: str, rng: random.Random) -> dict[str, Any]:
    """``groundingMetadata`` for an answer of ``text``, its keys in the service's order."""
    metadata: dict[str, Any] = {
        "searchEntryPoint": {"renderedContent": entry_point(search.queries)},
        "groundingChunks": [{"web": {"uri": uri, "title": title}} for uri, title in search.sources],
    }
    supports = grounding_supports(text, len(search.sources), rng)
    if supports:
        metadata["groundingSupports"] = supports
    metadata["webSearchQueries"] = list(search.queries)
    return metadata


def grounding_supports(text: str, sources: int, rng: random.Random) -> list[dict[str, Any]]:
    """One support for most sentences of ``text``: UTF-8 byte offsets, ``text`` the slice."""
    supports = []
    data = text.encode()
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if len(sentence) < 12 or rng.random() < 0.25:
            continue
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        begin = len(text[:start].encode())
        end = begin + len(sentence.encode())
        assert data[begin:end].decode() == sentence
        segment: dict[str, Any] = {"startIndex": begin} if begin else {}
        segment |= {"endIndex": end, "text": sentence}
        indices = sorted(rng.sample(range(sources), rng.randint(1, min(2, sources))))
        supports.append({"segment": segment, "groundingChunkIndices": indices})
    return supports


def entry_point(queries: tuple[str, ...]) -> str:
    """The Search suggestions chip block: a style sheet, then one chip per query."""
    chips = "\n".join(
        f'    <a class="chip" href="https://www.google.com/search?q={quote_plus(q)}'
        f'&amp;client=app-vertex-grounding&amp;safesearch=active">{_escaped(q)}</a>'
        for q in queries
    )
    return (
        "<style>\n.container {\n  align-items: center;\n  border-radius: 8px;\n"
        "  display: flex;\n  font-family: Google Sans, Roboto, sans-serif;\n  font-size: 14px;\n"
        "  line-height: 20px;\n  padding: 8px 12px;\n}\n.chip {\n  display: inline-block;\n"
        "  border: solid 1px;\n  border-radius: 16px;\n  min-width: 14px;\n  padding: 5px 16px;\n"
        "  text-align: center;\n  user-select: none;\n  margin: 0 8px;\n}\n"
        ".carousel {\n  overflow: auto;\n  scrollbar-width: none;\n  white-space: nowrap;\n"
        "  margin-right: -12px;\n}\n</style>\n"
        '<div class="container">\n  <div class="headline">\n'
        '    <div class="gradient-container"><div class="gradient"></div></div>\n  </div>\n'
        f'  <div class="carousel">\n{chips}\n  </div>\n</div>\n'
    )


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def url_statuses(prompt: str) -> list[tuple[str, str]]:
    """Each distinct URL of ``prompt``, in order, with the retrieval status it gets."""
    seen: dict[str, str] = {}
    for match in _URL.finditer(prompt):
        url = match.group().rstrip(".,;:!?")
        if url not in seen:
            seen[url] = (
                "URL_RETRIEVAL_STATUS_ERROR" if unreachable(url) else "URL_RETRIEVAL_STATUS_SUCCESS"
            )
    return list(seen.items())


def unreachable(url: str) -> bool:
    """Whether the service could not fetch ``url``: no public host."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(UNREACHABLE_SUFFIXES) or "." not in host
    return not address.is_global


def program(prompt: str) -> tuple[str, str, str]:
    """The Python the model writes for ``prompt``, and its outcome and output (worked out
    without running it)."""
    for match in _ARITHMETIC.finditer(prompt):
        expression = match.group().strip().replace("^", "**")
        try:
            value = arithmetic(expression)
        except ZeroDivisionError:
            source = f"result = {expression}\nprint(result)\n"
            return source, "OUTCOME_FAILED", _ZERO_DIVISION
        except ValueError:
            continue
        return f"result = {expression}\nprint(result)\n", "OUTCOME_OK", f"{value}\n"
    words = prompt.split()
    source = f"text = {' '.join(words)!r}\nprint(len(text.split()))\n"
    return source, "OUTCOME_OK", f"{len(words)}\n"


_ZERO_DIVISION = (
    "Traceback (most recent call last):\n"
    '  File "<string>", line 1, in <module>\n'
    "ZeroDivisionError: division by zero\n"
)


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def arithmetic(expression: str) -> int | float:
    """The value of an expression of numbers, ``+ - * / // % **`` and brackets, as Python
    gives it; ValueError for anything else or a value too large to be worth printing."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise ValueError(expression) from error
    return _value(tree.body)


def _value(node: ast.expr) -> int | float:
    value = node.value if isinstance(node, ast.Constant) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _bounded(value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _bounded(_UNARY[type(node.op)](_value(node.operand)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_EXPONENT or abs(left) > 10**6):
            raise ValueError("too large")
        result = _BINARY[type(node.op)](left, right)
        if isinstance(result, complex):
            raise ValueError("complex")
        return _bounded(result)
    raise ValueError(ast.dump(node))


def _bounded(value: int | float) -> int | float:
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError("too large")
    return value


def url_context_metadata(urls: tuple[dict[str, str], ...]) -> dict[str, Any]:
    return {"urlMetadata": [dict(entry) for entry in urls]}


def shows_invocations(request: dict[str, Any]) -> bool:
    """Whether the request asks to see the server-side tools' calls and responses."""
    config = request.get("toolConfig")
    return isinstance(config, dict) and config.get("includeServerSideToolInvocations") is True


def invocation_id(seed: bytes) -> str:
    """8 characters of ``[a-z0-9A-Z]``, like the service's (``gjl2yj5t``); fixed by the seed."""
    digest = hashlib.sha256(seed + b"/invocationId").digest()
    return "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:8])


def invocations(request: dict[str, Any], builtin: Builtin, seed: bytes) -> list[dict[str, Any]]:
    """The ``toolCall`` and ``toolResponse`` parts of what the declared tools did, a call then its
    response, the pair sharing an id; keys in the service's order (``toolType``, ``args`` or
    ``response``, ``id``); no signatures (the caller signs each part)."""
    tools = tools_of(request)
    done: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if "googleSearch" in tools and builtin.search is not None:
        queries = list(builtin.search.queries)
        suggestions = {"search_suggestions": entry_point(builtin.search.queries)}
        done.append((TOOL_TYPES["googleSearch"], {"queries": queries}, suggestions))
    if "urlContext" in tools and builtin.urls:
        fetched = {
            "urls_metadata": [
                {
                    "retrieved_url": u["retrievedUrl"],
                    "url_retrieval_status": u["urlRetrievalStatus"],
                }
                for u in builtin.urls
            ]
        }
        urls = [u["retrievedUrl"] for u in builtin.urls]
        done.append((TOOL_TYPES["urlContext"], {"urls": urls}, fetched))
    parts: list[dict[str, Any]] = []
    for number, (tool_type, args, response) in enumerate(done):
        call_id = invocation_id(seed + bytes([number]))
        parts.append({"toolCall": {"toolType": tool_type, "args": args, "id": call_id}})
        parts.append({"toolResponse": {"toolType": tool_type, "response": response, "id": call_id}})
    return parts
