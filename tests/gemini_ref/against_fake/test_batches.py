"""``client.batches`` end to end against the fake, in process and on a socket: create (inline
and from an uploaded JSONL file), get while the fake's clock moves, list, cancel, delete."""

from __future__ import annotations

import json

import pytest

import gemini_ref as genai
from fake_server.pytest_plugin import Fake
from gemini_ref import errors, types

MODEL = "gemini-2.5-flash"


def test_an_inline_batch_is_pending_then_done_with_each_answer_or_error(
    client: genai.Client, fake: Fake
) -> None:
    job = client.batches.create(
        model=MODEL,
        src=[
            {"contents": "How does AI work?", "metadata": {"key": "a"}},
            types.InlinedRequest(contents="Hi", config=types.GenerateContentConfig(temperature=5)),
        ],
        config={"display_name": "mine"},
    )
    assert job.state == types.JobState.JOB_STATE_PENDING and not job.done
    assert (job.display_name, job.model) == ("mine", f"models/{MODEL}")
    assert job.name is not None and job.dest is None
    sent = fake.journal.last("batchGenerateContent").request
    assert sent is not None
    assert sent["batch"]["inputConfig"]["requests"]["requests"][1]["request"] == {
        "contents": [{"parts": [{"text": "Hi"}], "role": "user"}],
        "generationConfig": {"temperature": 5},
    }
    fake.advance_clock(300)
    done = client.batches.get(name=job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.done
    assert done.end_time is not None and done.create_time is not None
    assert done.dest is not None and done.dest.inlined_responses is not None
    first, second = done.dest.inlined_responses
    direct = client.models.generate_content(model=MODEL, contents="How does AI work?")
    assert first.response is not None and first.response.text == direct.text
    assert first.metadata == {"key": "a"} and first.error is None
    assert second.error is not None and second.error.code == 3 and second.response is None


def test_a_file_batch_names_its_result_file(client: genai.Client, fake: Fake) -> None:
    line = {"key": "k", "request": {"contents": [{"parts": [{"text": "Hi"}]}]}}
    source = client.files.upload(
        file=(json.dumps(line) + "\n").encode(), config={"mime_type": "jsonl"}
    )
    assert source.name is not None
    job = client.batches.create(model=MODEL, src=source.name)
    fake.advance_clock(300)
    assert job.name is not None
    done = client.batches.get(name=job.name)
    assert done.dest is not None and done.dest.file_name is not None
    result = client.files.get(name=done.dest.file_name)
    assert result.source == types.FileSource.GENERATED and result.download_uri


def test_list_cancel_and_delete(client: genai.Client, fake: Fake) -> None:
    names = [client.batches.create(model=MODEL, src=[{"contents": "Hi"}]).name for _ in range(3)]

    assert [job.name for job in client.batches.list(config={"page_size": 2})] == names[::-1]
    assert names[0] is not None
    client.batches.cancel(name=names[0])
    cancelled = client.batches.get(name=names[0])
    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED
    assert cancelled.error is not None and cancelled.error.code == 1
    assert client.batches.delete(name=names[0]).name is None
    with pytest.raises(errors.NotFoundError):
        client.batches.get(name=names[0])
    with pytest.raises(ValueError, match="batches/<id>"):
        client.batches.get(name="nope")


@pytest.mark.anyio
async def test_the_async_client_does_the_same(fake: Fake) -> None:
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        job = await client.aio.batches.create(model=MODEL, src=[{"contents": "Hi"}])
        assert job.name is not None
        fake.advance_clock(300)
        assert (await client.aio.batches.get(name=job.name)).done
        listed = [j.name async for j in await client.aio.batches.list()]
        await client.aio.batches.cancel(name=job.name)
        await client.aio.batches.delete(name=job.name)
        client.close()
    assert listed == [job.name]
    assert [e.rpc for e in fake.journal.entries][-2:] == ["batches.cancel", "batches.delete"]
