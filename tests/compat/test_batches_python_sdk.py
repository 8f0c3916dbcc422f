"""The official Python SDK (google-genai 3.3.0) on batches: ``client.batches.create`` with inline
requests and with an uploaded JSONL file, polling with ``batches.get`` while the fake's clock
moves, the answers inline and in the result file ``client.files.download`` fetches, the
``batches.list`` pager, ``cancel`` and ``delete``, and the errors, on ``/v1`` and ``/v1beta``.

Both SDKs turn the service's operation into their BatchJob (docs/evidence.md#service-batches):
what they read must be where they look for it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from google import genai
from google.genai import errors, types

from fake_server.pytest_plugin import Fake

pytestmark = pytest.mark.sdk

MODEL = "gemini-2.5-flash"
QUESTION = "How does AI work?"
DONE = {
    types.JobState.JOB_STATE_SUCCEEDED,
    types.JobState.JOB_STATE_FAILED,
    types.JobState.JOB_STATE_CANCELLED,
    types.JobState.JOB_STATE_EXPIRED,
}


def inline_requests() -> list[types.InlinedRequest]:
    return [
        types.InlinedRequest(
            contents=[types.Content(parts=[types.Part(text=QUESTION)], role="user")],
            metadata={"key": "a"},
        ),
        # refused as generateContent refuses it: its error takes its place, the batch goes on
        types.InlinedRequest(
            contents=QUESTION,
            config=types.GenerateContentConfig(temperature=5),
            metadata={"key": "b"},
        ),
        # root-level config fields (a system instruction) go into the request, as in generate
        types.InlinedRequest(
            contents=QUESTION,
            config=types.GenerateContentConfig(system_instruction="Be brief.", temperature=0.5),
            metadata={"key": "c"},
        ),
    ]


def wait(client: genai.Client, fake: Fake, name: str) -> types.BatchJob:
    """Poll as the batch guide does, moving the fake's clock instead of sleeping."""
    job = client.batches.get(name=name)
    while job.state not in DONE:
        fake.advance_clock(30)
        job = client.batches.get(name=name)
    return job


def test_an_inline_batch_goes_pending_running_succeeded_and_reads_its_answers(
    client: genai.Client, sdk_env: Fake, api_version: str
) -> None:
    job = client.batches.create(
        model=MODEL, src=inline_requests(), config={"display_name": "inline-1"}
    )

    assert job.name is not None and job.name.startswith("batches/")
    assert job.state == types.JobState.JOB_STATE_PENDING
    assert job.display_name == "inline-1"
    assert job.model == f"models/{MODEL}"
    assert job.create_time is not None and job.end_time is None
    sdk_env.advance_clock(60)
    assert client.batches.get(name=job.name).state == types.JobState.JOB_STATE_RUNNING
    done = wait(client, sdk_env, job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.end_time is not None and done.end_time > done.create_time  # type: ignore[operator]
    assert done.dest is not None and done.dest.inlined_responses is not None
    first, second, third = done.dest.inlined_responses
    direct = client.models.generate_content(model=MODEL, contents=QUESTION)
    assert first.response is not None and first.response.text == direct.text
    assert first.metadata == {"key": "a"}
    assert second.response is None and second.error is not None
    assert second.error.code == 3 and second.metadata == {"key": "b"}
    assert "temperature" in (second.error.message or "")
    assert third.response is not None and third.response.text and third.error is None
    sent = sdk_env.journal.last("batchGenerateContent").request
    assert sent is not None
    assert sent["batch"]["inputConfig"]["requests"]["requests"][2]["request"]["systemInstruction"]
    calls = sdk_env.journal.calls("batchGenerateContent")
    assert [c.path for c in calls] == [f"/{api_version}/models/{MODEL}:batchGenerateContent"]


def test_a_batch_from_an_uploaded_jsonl_file_and_its_result_file_downloaded(
    fake_server_with: Callable[..., Fake], guide_env: Callable[[Fake], Fake]
) -> None:
    guide_env(fake_server_with(batch_delay=0))
    client = genai.Client()
    lines = [
        {"key": "q1", "request": {"contents": [{"parts": [{"text": QUESTION}]}]}},
        {"key": "q2", "request": {"contents": []}},
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    source = client.files.upload(
        file=io.BytesIO(data), config={"display_name": "requests", "mime_type": "jsonl"}
    )
    assert source.name is not None

    job = client.batches.create(model=MODEL, src=source.name)

    assert job.state == types.JobState.JOB_STATE_SUCCEEDED
    assert job.dest is not None and job.dest.file_name is not None
    result = client.files.get(name=job.dest.file_name)
    assert result.source == types.FileSource.GENERATED and result.download_uri is not None
    assert result.name in {f.name for f in client.files.list()}
    downloaded = client.files.download(file=result)  # follows the service's 302
    answers = [json.loads(line) for line in downloaded.decode().splitlines()]
    assert [a["key"] for a in answers] == ["q1", "q2"]
    parts = answers[0]["response"]["candidates"][0]["content"]["parts"]
    text = "".join(part["text"] for part in parts if not part.get("thought"))
    assert text == client.models.generate_content(model=MODEL, contents=QUESTION).text
    assert answers[1]["error"]["code"] == 3
    assert client.files.download(file=job.dest.file_name) == downloaded
    with pytest.raises(ValueError, match="uploaded files can't be downloaded"):
        client.files.download(file=source)  # the SDK itself refuses an uploaded File
    client.close()


def test_the_list_pager_goes_through_every_batch_newest_first(
    client: genai.Client, sdk_env: Fake, api_version: str
) -> None:
    names = [client.batches.create(model=MODEL, src=inline_requests()).name for _ in range(5)]

    listed = list(client.batches.list(config={"page_size": 2}))

    assert [job.name for job in listed] == names[::-1]
    assert all(job.state == types.JobState.JOB_STATE_PENDING for job in listed)
    pages = sdk_env.journal.calls("batches.list")
    assert [c.query for c in pages] == [
        "pageSize=2",
        "pageSize=2&pageToken=2",
        "pageSize=2&pageToken=4",
    ]


def test_cancel_then_delete_and_a_deleted_batch_is_not_found(
    client: genai.Client, sdk_env: Fake
) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests())
    assert job.name is not None

    client.batches.cancel(name=job.name)
    cancelled = client.batches.get(name=job.name)
    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED
    assert cancelled.dest is None
    deleted = client.batches.delete(name=job.name)

    assert deleted.model_dump(exclude={"sdk_http_response"}, exclude_none=True) == {}
    with pytest.raises(errors.ClientError) as missing:
        client.batches.get(name=job.name)
    assert missing.value.code == 404 and missing.value.status == "NOT_FOUND"


def test_a_model_that_does_not_batch_and_a_missing_input_file_are_client_errors(
    client: genai.Client, sdk_env: Fake
) -> None:
    with pytest.raises(errors.ClientError) as unknown:
        client.batches.create(model="gemini-1.5-flash", src=inline_requests())
    assert unknown.value.code == 404
    assert "batchGenerateContent" in (unknown.value.message or "")
    with pytest.raises(errors.ClientError) as missing:
        client.batches.create(model=MODEL, src="files/doesnotexist")
    assert missing.value.code == 403


@pytest.mark.anyio
async def test_the_async_client_creates_polls_lists_and_cancels(
    sdk_env: Fake, api_version: str
) -> None:
    client = genai.Client()
    try:
        job = await client.aio.batches.create(model=MODEL, src=inline_requests())
        assert job.name is not None
        sdk_env.advance_clock(300)
        done = await client.aio.batches.get(name=job.name)
        listed = [j.name async for j in await client.aio.batches.list()]
        await client.aio.batches.cancel(name=job.name)  # done already: stays SUCCEEDED
        again = await client.aio.batches.get(name=job.name)
    finally:
        await client.aio.aclose()
        client.close()

    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.dest is not None and done.dest.inlined_responses is not None
    assert listed == [job.name]
    assert again.state == done.state
