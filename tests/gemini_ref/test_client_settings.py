"""Where requests go and what they carry: key, base URL, version, model names, headers."""

from __future__ import annotations

import httpx
import pytest

import gemini_ref as genai
from gemini_ref import errors, types

GENERATE = "models/gemini-2.5-flash:generateContent"


def generate(client: genai.Client, model: str = "gemini-2.5-flash") -> None:
    client.models.generate_content(model=model, contents="Hi")


def test_client_key_argument_is_sent_as_x_goog_api_key(make_client, recorder):
    generate(make_client(api_key="from-argument"))

    assert recorder.request.headers["x-goog-api-key"] == "from-argument"
    assert "key" not in recorder.request.url.params


def test_client_key_falls_back_to_gemini_api_key(make_client, recorder, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")

    generate(make_client(api_key=None))

    assert recorder.request.headers["x-goog-api-key"] == "gemini-key"


def test_client_key_prefers_google_api_key_when_both_are_set(make_client, recorder, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")

    generate(make_client(api_key=None))

    assert recorder.request.headers["x-goog-api-key"] == "google-key"


def test_client_without_any_key_raises_a_value_error_saying_what_to_set():
    with pytest.raises(errors.MissingAPIKeyError) as caught:
        genai.Client()

    assert isinstance(caught.value, ValueError)
    assert "GOOGLE_API_KEY" in str(caught.value)
    assert "GEMINI_API_KEY" in str(caught.value)


def test_client_base_url_defaults_to_generativelanguage_v1beta(client, recorder):
    generate(client)

    assert str(recorder.request.url) == (
        f"https://generativelanguage.googleapis.com/v1beta/{GENERATE}"
    )


def test_client_base_url_comes_from_google_gemini_base_url(make_client, recorder, monkeypatch):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:8765")

    generate(make_client())

    assert str(recorder.request.url) == f"http://127.0.0.1:8765/v1beta/{GENERATE}"


def test_client_base_url_argument_beats_http_options_and_environment(
    make_client, recorder, monkeypatch
):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://from-env")

    generate(make_client(base_url="http://from-arg", http_options={"base_url": "http://opts"}))

    assert recorder.request.url.host == "from-arg"


def test_client_base_url_from_http_options_beats_environment(make_client, recorder, monkeypatch):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://from-env")

    generate(make_client(http_options=types.HttpOptions(base_url="http://from-options")))

    assert recorder.request.url.host == "from-options"


def test_client_base_url_keeps_path_prefix(make_client, recorder):
    generate(make_client(base_url="http://proxy.local/gemini/"))

    assert str(recorder.request.url) == f"http://proxy.local/gemini/v1beta/{GENERATE}"


def test_client_base_url_without_a_scheme_is_refused():
    with pytest.raises(ValueError, match="absolute http"):
        genai.Client(api_key="k", base_url="127.0.0.1:8765")


@pytest.mark.parametrize(
    ("kwargs", "version"),
    [
        ({}, "v1beta"),
        ({"api_version": "v1"}, "v1"),
        ({"http_options": {"api_version": "v1"}}, "v1"),
        ({"api_version": "v1beta", "http_options": {"api_version": "v1"}}, "v1beta"),
    ],
)
def test_client_api_version_from_argument_then_http_options(make_client, recorder, kwargs, version):
    generate(make_client(**kwargs))

    assert recorder.request.url.path == f"/{version}/{GENERATE}"


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:generateContent"),
        ("models/gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:generateContent"),
        ("tunedModels/my-model", "/v1beta/tunedModels/my-model:generateContent"),
    ],
)
def test_model_names_get_a_models_prefix_unless_they_have_one(client, recorder, model, path):
    generate(client, model)

    assert recorder.request.url.path == path


@pytest.mark.parametrize("model", ["", "../files/x", "gemini?alt=sse", "a&b"])
def test_invalid_model_names_are_refused_before_sending(client, recorder, model):
    with pytest.raises(ValueError):
        generate(client, model)

    assert recorder.requests == []


def test_client_identifies_itself_in_user_agent_and_x_goog_api_client(client, recorder):
    generate(client)

    headers = recorder.request.headers
    assert headers["user-agent"].startswith(f"gemini-ref/{genai.__version__} gl-python/")
    assert headers["x-goog-api-client"] == headers["user-agent"]


def test_http_options_headers_are_added_and_may_override(make_client, recorder):
    generate(make_client(http_options={"headers": {"X-Trace": "1", "User-Agent": "mine/2"}}))

    assert recorder.request.headers["x-trace"] == "1"
    assert recorder.request.headers.get_list("user-agent") == ["mine/2"]


def test_http_options_timeout_in_milliseconds_sets_x_server_timeout(make_client, recorder):
    generate(make_client(http_options={"timeout": 30_500}))

    assert recorder.request.headers["x-server-timeout"] == "31"
    assert recorder.request.extensions["timeout"]["read"] == 30.5


def test_timeout_argument_is_in_seconds_and_applies_per_request(make_client, recorder):
    generate(make_client(timeout=12.0))

    assert recorder.request.extensions["timeout"]["read"] == 12.0
    assert "x-server-timeout" not in recorder.request.headers


def test_client_closes_the_http_client_it_created():
    with genai.Client(api_key="k") as client:
        http = client.models._caller.http
    assert http.is_closed


def test_client_leaves_a_caller_supplied_http_client_open():
    http = httpx.Client()
    with genai.Client(api_key="k", http_client=http):
        pass
    assert not http.is_closed
    http.close()
