"""The error a fault rule answers with: the service's own body for its status
(docs/evidence.md#service-errors), or the rule's message.

``{"status": "RESOURCE_EXHAUSTED"}`` gives the quota error the service sent in 2026: its message
naming the metric, the limit and the model, then ``google.rpc.Help``, ``google.rpc.QuotaFailure``
and ``google.rpc.RetryInfo`` (``retryDelay`` in whole seconds), with the header
``X-Gemini-Service-Tier: standard``. ``{"status": "UNAVAILABLE"}`` gives the overload message,
``{"status": "INTERNAL"}`` the internal error's. A status may be given as its HTTP code.
"""

from __future__ import annotations

import re
from typing import Any

from ..protocol.errors import (
    ERROR_STATUSES,
    TYPE_PREFIX,
    ApiError,
    internal_error,
    invalid_argument,
)

QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To "
    "monitor your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for "
    "metric: {metric}, limit: {limit}, model: {model}\nPlease retry in {delay}."
)
QUOTA_METRIC = "generativelanguage.googleapis.com/generate_content_free_tier_requests"
QUOTA_ID = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
QUOTA_LIMIT = 10
DEFAULT_RETRY = "30s"
MESSAGES = {
    "UNAVAILABLE": "The model is overloaded. Please try again later.",
    "INTERNAL": internal_error().message,
    "DEADLINE_EXCEEDED": "Deadline expired before operation could complete.",
}
_BY_CODE = {code: name for name, code in reversed(ERROR_STATUSES.items())} | {500: "INTERNAL"}
_DELAY = re.compile(r"(\d+(?:\.\d+)?)s")
ERROR_KEYS = ("status", "message", "retryDelay", "afterEvents")


def fault_error(spec: Any, model: str | None) -> ApiError:
    """The error ``spec`` asks for (on a call to ``model``); a 400 when the spec is unusable."""
    if not isinstance(spec, dict) or set(spec) - set(ERROR_KEYS) or "status" not in spec:
        raise invalid_argument(
            '"error" is {"status": NAME or HTTP code, "message": optional, '
            '"retryDelay": optional, such as "3s", "afterEvents": optional, on a stream}.'
        )
    after = spec.get("afterEvents", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise invalid_argument('"afterEvents" is a whole number of events, 0 or more.')
    status, code = _status(spec["status"])
    delay = spec.get("retryDelay")
    if delay is not None and not (isinstance(delay, str) and _DELAY.fullmatch(delay)):
        raise invalid_argument('"retryDelay" is seconds written as the service writes them: "3s".')
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        raise invalid_argument('"message" is a string.')
    if status == "RESOURCE_EXHAUSTED" and message is None:
        return quota_error(model, delay or DEFAULT_RETRY)
    text = message or MESSAGES.get(status, f"The request failed: {status} (a fault rule).")
    details = [retry_info(delay)] if delay else []
    return ApiError(code, status, text, details)


def quota_error(
    model: str | None,
    delay: str,
    *,
    metric: str = QUOTA_METRIC,
    quota_id: str = QUOTA_ID,
    limit: int = QUOTA_LIMIT,
) -> ApiError:
    """The service's 429 for a quota, as recorded in 2026 (docs/evidence.md#service-errors)."""
    model = (model or "gemini-2.5-flash").removeprefix("models/")
    details = [
        {
            "@type": TYPE_PREFIX + "Help",
            "links": [
                {
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                }
            ],
        },
        {
            "@type": TYPE_PREFIX + "QuotaFailure",
            "violations": [
                {
                    "quotaMetric": metric,
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(limit),
                }
            ],
        },
        retry_info(delay),
    ]
    message = QUOTA_MESSAGE.format(metric=metric, limit=limit, model=model, delay=delay)
    error = ApiError(429, "RESOURCE_EXHAUSTED", message, details)
    error.headers["x-gemini-service-tier"] = "standard"
    return error


def retry_info(delay: str) -> dict[str, Any]:
    """``google.rpc.RetryInfo``, in whole seconds as the service writes it."""
    match = _DELAY.fullmatch(delay)
    seconds = int(float(match.group(1))) if match else 0
    return {"@type": TYPE_PREFIX + "RetryInfo", "retryDelay": f"{seconds}s"}


def _status(value: Any) -> tuple[str, int]:
    if isinstance(value, str) and value in ERROR_STATUSES:
        return value, ERROR_STATUSES[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in _BY_CODE:
        return _BY_CODE[value], value
    names = ", ".join(ERROR_STATUSES)
    raise invalid_argument(f'"status" is a canonical status ({names}) or its HTTP code.')
