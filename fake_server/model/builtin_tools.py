"""The built-in tools: Google Search grounding, code execution and URL context, in the service's
shapes (docs/evidence.md#service-grounding, #service-builtin-tools). Nothing is searched, run or
fetched: every result is invented, seeded by the request, so the same request gets the same one.

- **Search** (``googleSearch``, and the 1.5-era ``googleSearchRetrieval``) and **Google Maps**
  (``googleMaps``): ``groundingMetadata`` (:mod:`.grounding`).
- **Code execution** (``codeExecution``): an ``executableCode`` part and its
  ``codeExecutionResult`` before the text. An arithmetic expression in the prompt is printed,
  its value worked out by walking its syntax tree (never ``eval``); otherwise the code counts the
  prompt's words, whose number is known without running anything.
- **URL context** (``urlContext``): one ``urlMetadata`` entry per URL in the prompt, a host that
  cannot be reached from the internet (``localhost``, ``.invalid``, ``.test``, ``.example``,
  ``.local``, a private or loopback address) getting ``URL_RETRIEVAL_STATUS_ERROR``.

Search, URL context and Maps add ``toolUsePromptTokenCount``: what the retrieved material
costs.

On Gemini 3, a request that sets ``toolConfig.includeServerSideToolInvocations`` also sees the
search and the URL fetch themselves (:func:`invocations`): a ``toolCall`` part and its
``toolResponse``, sharing an 8-character id, with the arguments and results the service's tool
combination documents (``queries`` / ``search_suggestions``, ``urls`` / ``urls_metadata``).
Code execution has no tool type of its own: its ``executableCode`` and ``codeExecutionResult``
parts already show it.
"""

from __future__ import annotations

import ast
import hashlib
import ipaddress
import operator
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import grounding

SEARCH_TOOLS = ("googleSearch", "googleSearchRetrieval")
MAPS_TOOL = "googleMaps"
TOOLS = (*SEARCH_TOOLS, "codeExecution", "urlContext", MAPS_TOOL)
# The built-in tool each ToolType stands for, in the order their invocations are shown
TOOL_TYPES = {"googleSearch": "GOOGLE_SEARCH_WEB", "urlContext": "URL_CONTEXT"}
_ID_ALPHABET = string.ascii_lowercase + string.digits + string.ascii_uppercase
UNREACHABLE_SUFFIXES = (".invalid", ".test", ".example", ".local", ".localhost", ".internal")
_URL = re.compile(r"https?://[^\s<>\"'`)\]}]+")
_ARITHMETIC = re.compile(r"[-+(]*\d[\d.]*(?:\s*(?:\*\*|//|[-+*/%^])\s*[-+(]*\d[\d.]*\)*)+\)*")
MAX_EXPONENT = 64
MAX_MAGNITUDE = 10**30


@dataclass(frozen=True)
class Builtin:
    """What the built-in tools give one answer."""

    search: grounding.Search | None = None
    code: tuple[dict[str, Any], ...] = ()  # the executableCode and codeExecutionResult parts
    urls: tuple[dict[str, str], ...] = ()  # urlMetadata entries
    places: tuple[grounding.Place, ...] = ()  # what Google Maps found
    widget: bool = False  # whether googleMaps asked for a widget context token
    tool_tokens: int = 0  # toolUsePromptTokenCount
    said: str = ""  # the sentences the answer opens with


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
    search = grounding.search(topic, rng) if tools & set(SEARCH_TOOLS) else None
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
    places: tuple[grounding.Place, ...] = ()
    widget = False
    if MAPS_TOOL in tools:
        places = grounding.places(prompt, rng)
        widget = any(
            isinstance(tool, dict)
            and isinstance(tool.get(MAPS_TOOL), dict)
            and tool[MAPS_TOOL].get("enableWidget") is True
            for tool in request.get("tools", [])
        )
        said = " ".join(filter(None, (said, *(grounding.place_sentence(p, rng) for p in places))))
        tool_tokens += sum(rng.randint(60, 240) for _ in places)
    return Builtin(search, code, urls, places, widget, tool_tokens, said)


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
        suggestions = {"search_suggestions": grounding.entry_point(builtin.search.queries)}
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
