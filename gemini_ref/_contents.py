"""Turning what users pass as ``contents`` into the list of turns the API expects.

The rules are the official SDK's (``_transformers.t_contents``), so the guide's examples send the
same turns:

* ``"Hello"`` is one user turn with one text part;
* a ``Part`` (or a part dict) is one user turn holding it;
* a list of strings and parts (``["Describe", image_part]``) is **one** user turn holding all of
  them, in order; consecutive function-call parts become a ``model`` turn of their own;
* a ``Content`` (or a dict with ``parts``/``role``) is kept as a turn, and so is a nested list;
* dicts may use camelCase or snake_case keys;
* an uploaded ``File`` (what ``files.upload`` returns) is a part referring to it,
  ``{"fileData": {"fileUri": file.uri, "mimeType": file.mime_type}}``.

Anything else raises a ``TypeError`` naming the type. That is the hook for more input kinds (PIL
images): teach ``to_part`` to turn them into a ``Part``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from ._convert import from_wire
from .types import Content, File, Part

PartLike: TypeAlias = str | Part | File | dict[str, Any]
ContentLike: TypeAlias = Content | PartLike | Sequence[PartLike]
ContentsLike: TypeAlias = ContentLike | Sequence[ContentLike]


def to_part(value: Any) -> Part:
    """One ``Part`` from a string, a ``Part``, a part dict or an uploaded ``File``."""
    if isinstance(value, str):
        return Part(text=value)
    if isinstance(value, Part | dict):
        return from_wire(Part, value, strict=True)
    if isinstance(value, File):
        # As the SDK: both are needed, and a File from files.list or files.get has them.
        if not value.uri or not value.mime_type:
            raise ValueError(
                f"the File {value.name!r} has no uri or no mime_type, so it cannot be a part"
            )
        return Part.from_uri(file_uri=value.uri, mime_type=value.mime_type)
    # The hook for other inputs: a PIL image becomes Part.from_bytes(PNG or JPEG bytes).
    raise TypeError(
        f"cannot send a {type(value).__module__}.{type(value).__qualname__} as a part; pass a"
        " str, a types.Part (e.g. types.Part.from_bytes(data=..., mime_type=...)), an uploaded"
        " types.File or a dict"
    )


def to_content(value: Any) -> Content:
    """One turn, as ``system_instruction`` takes it: a string, a part, a list of parts or a turn."""
    if isinstance(value, Content) or _is_content_dict(value):
        return from_wire(Content, value, strict=True)
    if isinstance(value, list | tuple):
        return Content(role="user", parts=[to_part(item) for item in value])
    return _turn_of([to_part(value)])


def to_contents(value: Any) -> list[Content]:
    """The ``contents`` list of a request, from anything ``generate_content`` accepts."""
    if value is None or (isinstance(value, list | tuple) and not value):
        raise ValueError("contents are required: pass a string, a Part, a Content or a list")
    if not isinstance(value, list | tuple):
        return [to_content(value)]
    turns: list[Content] = []
    pending: list[Part] = []  # consecutive parts, waiting to become one turn
    for item in value:
        if isinstance(item, Content | list | tuple) or _is_content_dict(item):
            turns.extend(_flush(pending))
            turns.append(to_content(item))
            continue
        part = to_part(item)
        if pending and _is_model_part(part) != _is_model_part(pending[0]):
            turns.extend(_flush(pending))
        pending.append(part)
    turns.extend(_flush(pending))
    return turns


def _flush(pending: list[Part]) -> list[Content]:
    if not pending:
        return []
    turn = _turn_of(list(pending))
    pending.clear()
    return [turn]


def _turn_of(parts: list[Part]) -> Content:
    # A function call is something the model said; everything else is the user's.
    role = "model" if all(_is_model_part(part) for part in parts) else "user"
    return Content(role=role, parts=parts)


def _is_model_part(part: Part) -> bool:
    return part.function_call is not None


def _is_content_dict(value: Any) -> bool:
    return isinstance(value, dict) and ("parts" in value or "role" in value)
