"""Every failure becomes a typed error: the Google envelope, the network, a malformed 200."""

from __future__ import annotations

import httpx
import pytest

from gemini_ref import errors

RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


def envelope(code, status, message, details=None):
    error = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


def answer_with(recorder, response):
    recorder.answers = [response]


def generate(client):
    return client.models.generate_content(model="gemini-2.5-flash", contents="Hi")


@pytest.mark.parametrize(
    ("code", "status", "family", "error_class"),
    [
        (400, "INVALID_ARGUMENT", errors.ClientError, errors.BadRequestError),
        (401, "UNAUTHENTICATED", errors.ClientError, errors.AuthenticationError),
        (403, "PERMISSION_DENIED", errors.ClientError, errors.PermissionDeniedError),
        (404, "NOT_FOUND", errors.ClientError, errors.NotFoundError),
        (409, "ABORTED", errors.ClientError, errors.ConflictError),
        (429, "RESOURCE_EXHAUSTED", errors.ClientError, errors.RateLimitError),
        (500, "INTERNAL", errors.ServerError, errors.InternalServerError),
        (503, "UNAVAILABLE", errors.ServerError, errors.ServiceUnavailableError),
        (504, "DEADLINE_EXCEEDED", errors.ServerError, errors.DeadlineExceededError),
        (418, "UNKNOWN", errors.ClientError, errors.ClientError),
        (502, "UNAVAILABLE", errors.ServerError, errors.ServerError),
    ],
)
def test_error_status_maps_to_its_class_and_family(
    client, recorder, code, status, family, error_class
):
    answer_with(recorder, httpx.Response(code, json=envelope(code, status, "Something.")))

    with pytest.raises(error_class) as caught:
        generate(client)

    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, family)
    assert (error.code, error.status, error.message) == (code, status, "Something.")
    assert error.details == []
    assert error.retry_delay is None
    assert error.response is not None and error.response.status_code == code


def test_bad_request_keeps_the_envelope_details(client, recorder):
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        }
    ]
    message = "API key not valid. Please pass a valid API key."
    answer_with(
        recorder, httpx.Response(400, json=envelope(400, "INVALID_ARGUMENT", message, details))
    )

    with pytest.raises(errors.BadRequestError) as caught:
        generate(client)

    assert caught.value.details == details
    assert caught.value.body == envelope(400, "INVALID_ARGUMENT", message, details)
    assert str(caught.value) == f"400 INVALID_ARGUMENT. {message}"


def test_not_found_names_the_model(client, recorder):
    message = "models/gemini-1.5-flash is not found for API version v1beta"
    answer_with(recorder, httpx.Response(404, json=envelope(404, "NOT_FOUND", message)))

    with pytest.raises(errors.NotFoundError, match="gemini-1.5-flash is not found"):
        generate(client)


def test_rate_limit_exposes_retry_info_in_seconds(client, recorder):
    details = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": "x"}]},
        {"@type": RETRY_INFO, "retryDelay": "48s"},
    ]
    body = envelope(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", details)
    answer_with(recorder, httpx.Response(429, json=body))

    with pytest.raises(errors.RateLimitError) as caught:
        generate(client)

    assert caught.value.retry_delay == 48.0


@pytest.mark.parametrize(("delay", "seconds"), [("34.4s", 34.4), ("0s", 0.0), ("1.5", None)])
def test_retry_delay_reads_google_duration_strings(delay, seconds):
    error = errors.APIError(
        429, "RESOURCE_EXHAUSTED", "slow down", details=[{"@type": RETRY_INFO, "retryDelay": delay}]
    )

    assert error.retry_delay == seconds


def test_a_non_json_error_body_gives_the_reason_phrase_and_the_text(client, recorder):
    answer_with(recorder, httpx.Response(503, text="<html>down</html>"))

    with pytest.raises(errors.ServiceUnavailableError) as caught:
        generate(client)

    error = caught.value
    assert (error.code, error.status, error.message) == (
        503,
        "Service Unavailable",
        "<html>down</html>",
    )
    assert error.details == []


def test_a_json_error_body_without_an_envelope_is_treated_as_text(client, recorder):
    answer_with(recorder, httpx.Response(500, json={"oops": True}))

    with pytest.raises(errors.InternalServerError) as caught:
        generate(client)

    assert caught.value.status == "Internal Server Error"
    assert caught.value.message == '{"oops":true}'


def test_an_envelope_wrapped_in_a_one_element_array_is_unwrapped(client, recorder):
    answer_with(recorder, httpx.Response(400, json=[envelope(400, "INVALID_ARGUMENT", "Bad.")]))

    with pytest.raises(errors.BadRequestError, match="Bad."):
        generate(client)


@pytest.mark.parametrize("status_code", [201, 204, 302])
def test_any_status_other_than_200_is_an_api_error(client, recorder, status_code):
    answer_with(recorder, httpx.Response(status_code))

    with pytest.raises(errors.APIError) as caught:
        generate(client)

    assert type(caught.value) is errors.APIError
    assert caught.value.code == status_code


def test_a_200_without_json_raises_malformed_response_error(client, recorder):
    answer_with(recorder, httpx.Response(200, text="<html>captive portal</html>"))

    with pytest.raises(errors.MalformedResponseError, match="without a JSON body") as caught:
        generate(client)

    assert isinstance(caught.value, ValueError)
    assert caught.value.response is not None


@pytest.mark.parametrize(
    "body", [[1, 2], {"candidates": "nope"}, {"usageMetadata": {"totalTokenCount": "x"}}]
)
def test_a_200_of_the_wrong_shape_raises_malformed_response_error(client, recorder, body):
    answer_with(recorder, httpx.Response(200, json=body))

    with pytest.raises(errors.MalformedResponseError, match="unexpected body"):
        generate(client)


def test_unknown_fields_in_a_200_are_kept_in_extra(client, recorder):
    grounding = {"webSearchQueries": ["weather boston"]}
    answer_with(recorder, {"candidates": [{"index": 0, "groundingMetadata": grounding}], "new": 1})

    response = generate(client)

    assert response.extra == {"new": 1}
    assert response.candidates[0].extra == {"groundingMetadata": grounding}


def test_a_connection_failure_raises_api_connection_error(client, recorder):
    answer_with(recorder, httpx.ConnectError("connection refused"))

    with pytest.raises(errors.APIConnectionError, match="connection refused") as caught:
        generate(client)

    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.request is recorder.request


def test_a_timeout_raises_api_timeout_error(client, recorder):
    answer_with(recorder, httpx.ReadTimeout("timed out"))

    with pytest.raises(errors.APITimeoutError) as caught:
        generate(client)

    assert isinstance(caught.value, errors.APIConnectionError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
