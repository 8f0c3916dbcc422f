"""The built-in tools through the official Python SDK (google-genai) over a socket, unary and
streamed: the SDK reads the grounding supports (byte slices of the answer), the executed code
and its result, and the URL context metadata the fake invents
(docs/evidence.md#service-builtin-tools).
"""

from __future__ import annotations

import pytest
from google import genai
from google.genai import types

from fake_server.pytest_plugin import Fake

pytestmark = pytest.mark.sdk

FLASH = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"
PROMPT = (
    "Qu'est-ce que 12 * (5 + 3) donne, et que dit https://example.com/guide — "
    "ou http://localhost:9/x ? Réponds brièvement, s'il te plaît."
)
CONFIG = types.GenerateContentConfig(
    tools=[
        types.Tool(google_search=types.GoogleSearch()),
        types.Tool(code_execution=types.ToolCodeExecution()),
        types.Tool(url_context=types.UrlContext()),
    ]
)


def sdk_client(fake: Fake) -> genai.Client:
    return genai.Client(
        api_key="any-key",
        http_options=types.HttpOptions(base_url=fake.base_url, api_version="v1beta"),
    )


def check_grounding(metadata: types.GroundingMetadata | None, text: str) -> None:
    assert metadata is not None
    assert metadata.web_search_queries and metadata.web_search_queries[0].startswith("qu'est-ce")
    assert metadata.search_entry_point is not None
    assert (metadata.search_entry_point.rendered_content or "").startswith("<style>")
    chunks = metadata.grounding_chunks or []
    assert chunks and all(
        c.web is not None and (c.web.uri or "").startswith("https://") for c in chunks
    )
    supports = metadata.grounding_supports or []
    assert supports
    data = text.encode()
    for support in supports:
        segment = support.segment
        assert segment is not None and segment.end_index is not None
        assert data[segment.start_index or 0 : segment.end_index].decode() == segment.text
        assert all(0 <= i < len(chunks) for i in support.grounding_chunk_indices or [])


def check_urls(metadata: types.UrlContextMetadata | None) -> None:
    assert metadata is not None
    statuses = [(m.retrieved_url, m.url_retrieval_status) for m in metadata.url_metadata or []]
    assert statuses == [
        ("https://example.com/guide", types.UrlRetrievalStatus.URL_RETRIEVAL_STATUS_SUCCESS),
        ("http://localhost:9/x", types.UrlRetrievalStatus.URL_RETRIEVAL_STATUS_ERROR),
    ]


@pytest.mark.parametrize("model", [FLASH, GEMINI_3])
def test_the_sdk_reads_a_unary_answer_with_built_in_tools(
    gemini_fake_server: Fake, model: str
) -> None:
    client = sdk_client(
        gemini_fake_server
    )  # kept referenced (docs/evidence.md#sdk-client-lifetime)
    response = client.models.generate_content(model=model, contents=PROMPT, config=CONFIG)
    assert response.executable_code == "result = 12 * (5 + 3)\nprint(result)\n"
    assert response.code_execution_result == "96\n"
    (candidate,) = response.candidates or []
    assert candidate.content is not None and candidate.content.parts is not None
    text = "".join(p.text or "" for p in candidate.content.parts)
    assert text.startswith("Running the code prints 96.")
    check_grounding(candidate.grounding_metadata, text)
    check_urls(candidate.url_context_metadata)
    usage = response.usage_metadata
    assert usage is not None and usage.tool_use_prompt_token_count
    assert usage.total_token_count == (
        (usage.prompt_token_count or 0)
        + (usage.candidates_token_count or 0)
        + (usage.thoughts_token_count or 0)
        + usage.tool_use_prompt_token_count
    )


@pytest.mark.parametrize("model", [FLASH, GEMINI_3])
def test_the_sdk_reads_a_streamed_answer_with_built_in_tools(
    gemini_fake_server: Fake, model: str
) -> None:
    client = sdk_client(gemini_fake_server)
    chunks = list(
        client.models.generate_content_stream(model=model, contents=PROMPT, config=CONFIG)
    )
    assert len(chunks) > 2
    assert chunks[0].executable_code == "result = 12 * (5 + 3)\nprint(result)\n"
    assert [c.code_execution_result for c in chunks if c.code_execution_result] == ["96\n"]
    text = "".join(
        part.text or ""
        for chunk in chunks
        for candidate in chunk.candidates or []
        if candidate.content is not None
        for part in candidate.content.parts or []
    )
    for chunk in chunks:
        (candidate,) = chunk.candidates or []
        check_grounding(candidate.grounding_metadata, text)
        check_urls(candidate.url_context_metadata)


MAPS_CONFIG = types.GenerateContentConfig(
    tools=[types.Tool(google_maps=types.GoogleMaps(enable_widget=True))],
    tool_config=types.ToolConfig(
        retrieval_config=types.RetrievalConfig(
            lat_lng=types.LatLng(latitude=34.050481, longitude=-118.248526)
        )
    ),
)
MAPS_PROMPT = "What are the best Italian restaurants within a 15-minute walk from here?"


def check_places(metadata: types.GroundingMetadata | None, text: str) -> None:
    """What the Maps grounding guide's code reads: each chunk's ``maps`` title and URI."""
    assert metadata is not None
    places = [chunk.maps for chunk in metadata.grounding_chunks or []]
    assert places and all(place is not None for place in places)
    for place in places:
        assert place is not None and place.title and place.uri and place.place_id
        assert place.uri.startswith("https://maps.google.com/?cid=")
        assert place.place_id.startswith("places/")
        assert "Italian" in place.title and place.title in text
    assert (metadata.google_maps_widget_context_token or "").startswith("widgetcontent/")
    data = text.encode()
    for support in metadata.grounding_supports or []:
        segment = support.segment
        assert segment is not None and segment.end_index is not None
        assert data[segment.start_index or 0 : segment.end_index].decode() == segment.text
        (index,) = support.grounding_chunk_indices or []
        place = places[index]
        assert place is not None and place.title and place.title in (segment.text or "")


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
def test_the_sdk_reads_places_from_google_maps(gemini_fake_server: Fake, stream: bool) -> None:
    client = sdk_client(gemini_fake_server)
    if stream:
        chunks = list(
            client.models.generate_content_stream(
                model=FLASH, contents=MAPS_PROMPT, config=MAPS_CONFIG
            )
        )
        text = "".join(chunk.text or "" for chunk in chunks)
        metadata = [c.candidates[0].grounding_metadata for c in chunks if c.candidates]
        assert len(metadata) == len(chunks) > 1 and all(m == metadata[0] for m in metadata)
        check_places(metadata[0], text)
    else:
        response = client.models.generate_content(
            model=FLASH, contents=MAPS_PROMPT, config=MAPS_CONFIG
        )
        assert response.candidates
        check_places(response.candidates[0].grounding_metadata, response.text or "")
    sent = gemini_fake_server.last_call().request
    assert sent["tools"] == [{"googleMaps": {"enableWidget": True}}]
    # The SDK sends the location in snake case inside a camel-case body; the fake reads both
    assert sent["toolConfig"]["retrievalConfig"]["latLng"] == {
        "latitude": 34.050481,
        "longitude": -118.248526,
    }
