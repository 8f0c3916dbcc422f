"""The JSON of an answer, out of the Markdown fence the model often wraps it in."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```(?:json)?", re.IGNORECASE)


def parse_json(text: str) -> str:
    """The JSON inside a Markdown fence in ``text``, or ``text`` itself when there is none.

    The fence opens on a line of its own, ```` ```json ```` or a bare ```` ``` ```` (case and
    surrounding spaces don't matter); the JSON ends at the next ```` ``` ````. Like the guide's
    helper this returns text: ``json.loads(parse_json(response.text))``.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _FENCE.fullmatch(line.strip()):
            return "\n".join(lines[index + 1 :]).split("```")[0]
    return text
