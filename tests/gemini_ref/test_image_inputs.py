"""Images as inputs: PIL images, ``Part.from_bytes``, uploaded files, and the API's limits.

A PIL image is encoded byte for byte as the official SDK's ``pil_to_blob`` encodes it (checked
against google-genai 3.3.0 itself). The request shapes of the guide's image examples are pinned
as JSON snapshots under ``__snapshots__/`` (image data shown as what it decodes to, so the pins
don't depend on the zlib or libjpeg version; regenerate with ``pytest tests/gemini_ref
--snapshot-update`` and review the diff).
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys

import pytest
from google.genai import _transformers as sdk
from PIL import Image, ImageDraw

from gemini_ref import errors, types
from gemini_ref._contents import MAX_IMAGES, MAX_INLINE_BYTES, base64_size, to_part

MODEL = "gemini-2.5-flash"
SUPPORTED = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")


def picture(mode: str = "RGB", size: tuple[int, int] = (8, 6)) -> Image.Image:
    """A small image with some structure, so every encoder has something to encode."""
    image = Image.new("RGB", size, (200, 30, 40))
    ImageDraw.Draw(image).rectangle((1, 1, size[0] // 2, size[1] // 2), fill=(10, 120, 250))
    return image.convert(mode)


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def jpeg_file(tmp_path, mode: str = "RGB") -> str:
    path = tmp_path / "photo.jpg"
    picture(mode, (40, 30)).save(path, "JPEG", quality=90)
    return str(path)


def file(name: str = "abc123", mime_type: str = "image/png") -> types.File:
    uri = f"https://generativelanguage.googleapis.com/v1beta/files/{name}"
    return types.File(name=f"files/{name}", uri=uri, mime_type=mime_type, state="ACTIVE")


def inline_parts(body) -> list[tuple[str, bytes]]:
    return [
        (part["inlineData"]["mimeType"], base64.b64decode(part["inlineData"]["data"]))
        for turn in body["contents"]
        for part in turn["parts"]
        if "inlineData" in part
    ]


def described(body):
    """The body, each inline image's base64 replaced by what it decodes to."""
    if isinstance(body, list):
        return [described(item) for item in body]
    if not isinstance(body, dict):
        return body
    if "inlineData" in body:
        blob = dict(body["inlineData"])
        data = base64.b64decode(blob["data"])
        with Image.open(io.BytesIO(data)) as image:
            blob["data"] = f"<{image.format} {image.width}x{image.height} {image.mode}>"
        return {**body, "inlineData": blob}
    return {key: described(value) for key, value in body.items()}


def blob_of(image: Image.Image) -> types.Blob:
    """The inline data our client makes of ``image`` (it must make some)."""
    blob = to_part(image).inline_data
    assert blob is not None and blob.data is not None
    return blob


def sdk_data(image: Image.Image) -> bytes:
    """The bytes the official SDK sends for ``image``."""
    data = sdk.pil_to_blob(image).data
    assert data is not None
    return data


# --- PIL images, as the official SDK sends them ------------------------------------------------


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "1", "I;16"])
def test_a_pil_image_is_sent_as_the_sdks_png(mode):
    image = picture(mode)
    blob = blob_of(image)

    assert blob.mime_type == "image/png"
    assert blob.data == sdk_data(image)
    with Image.open(io.BytesIO(blob.data)) as sent:
        assert (sent.format, sent.mode, sent.size) == ("PNG", image.mode, image.size)
        assert sent.tobytes() == image.tobytes()


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_an_image_read_from_a_jpeg_file_is_sent_as_the_sdks_jpeg(tmp_path, mode):
    with Image.open(jpeg_file(tmp_path, mode)) as image:
        blob = blob_of(image)

        assert blob.mime_type == "image/jpeg"
        assert blob.data == sdk_data(image)
    with Image.open(io.BytesIO(blob.data)) as sent:
        assert (sent.format, sent.mode, sent.size) == ("JPEG", mode, (40, 30))


def test_a_thumbnailed_jpeg_file_is_still_sent_as_the_sdk_does(tmp_path):
    # The guide's segmentation example: Image.open(path), then im.thumbnail(...).
    with Image.open(jpeg_file(tmp_path)) as image:
        image.thumbnail((20, 20), Image.Resampling.LANCZOS)
        expected = sdk.pil_to_blob(image)
        blob = blob_of(image)

    assert (blob.mime_type, blob.data) == (expected.mime_type, expected.data)


def test_a_jpeg_without_a_file_name_or_changed_is_sent_as_png(tmp_path):
    from_bytes = Image.open(io.BytesIO(encoded(picture(), "JPEG")))
    with Image.open(jpeg_file(tmp_path)) as from_file:
        changed = [from_file.copy(), from_file.convert("RGBA"), from_file.rotate(90)]

    for image in [from_bytes, *changed]:
        blob = blob_of(image)
        assert blob.mime_type == "image/png"
        assert blob.data == sdk_data(image)


@pytest.mark.parametrize("mode", ["CMYK", "F", "YCbCr"])
def test_an_image_png_cannot_hold_raises_a_clear_error(mode):
    image = Image.new(mode, (4, 4))
    with pytest.raises(OSError):
        sdk.pil_to_blob(image)  # the SDK fails too, with Pillow's bare OSError

    with pytest.raises(errors.ImageEncodingError, match=f"mode '{mode}'.*convert") as caught:
        to_part(image)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value.__cause__, OSError)


def test_a_closed_image_raises_a_clear_error(tmp_path):
    image = Image.open(jpeg_file(tmp_path))
    image.close()
    with pytest.raises(errors.ImageEncodingError, match="cannot send this PIL image"):
        to_part(image)


def test_a_pil_object_that_is_not_an_image_is_refused_by_name():
    draw = ImageDraw.Draw(picture())
    with pytest.raises(TypeError, match=r"PIL\.ImageDraw\.ImageDraw.*only a PIL\.Image\.Image"):
        to_part(draw)


def test_nothing_imports_pil_until_the_caller_does():
    code = (
        "import sys, gemini_ref, gemini_ref.vision\n"
        "from gemini_ref._contents import to_contents\n"
        "to_contents(['hi', {'text': 'there'}])\n"
        "assert 'PIL' not in sys.modules, sorted(m for m in sys.modules if 'PIL' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_pil_image_goes_inline_before_the_text(client, recorder):
    image = picture()
    client.models.generate_content(model=MODEL, contents=[image, "Tell me about this image"])

    assert recorder.body == {
        "contents": [
            {
                "parts": [
                    {
                        "inlineData": {
                            "data": base64.b64encode(sdk_data(image)).decode(),
                            "mimeType": "image/png",
                        }
                    },
                    {"text": "Tell me about this image"},
                ],
                "role": "user",
            }
        ]
    }


@pytest.mark.anyio
async def test_the_async_client_sends_a_pil_image_the_same_way(client, recorder, tmp_path):
    with Image.open(jpeg_file(tmp_path)) as image:
        await client.aio.models.generate_content(model=MODEL, contents=["Caption this.", image])
        expected = sdk.pil_to_blob(image)

    assert inline_parts(recorder.body) == [("image/jpeg", expected.data)]


def test_a_chat_message_may_hold_a_part_made_from_a_pil_image(client, recorder):
    image = picture()
    client.chats.create(model=MODEL).send_message([to_part(image), "What is this?"])
    assert inline_parts(recorder.body) == [("image/png", sdk_data(image))]


def test_a_chat_message_may_be_a_pil_image_as_in_the_sdk(client, recorder):
    image = picture()
    client.chats.create(model=MODEL).send_message([image, "What is this?"])
    assert inline_parts(recorder.body) == [("image/png", sdk_data(image))]


# --- Request shapes (snapshots) ----------------------------------------------------------------


def test_shape_of_an_inline_pil_image(client, recorder, snapshot):
    client.models.generate_content(model=MODEL, contents=[picture(), "Tell me about this image"])
    assert described(recorder.body) == snapshot


def test_shape_of_a_pil_image_from_a_jpeg_file(client, recorder, tmp_path, snapshot):
    with Image.open(jpeg_file(tmp_path)) as image:
        client.models.generate_content(model=MODEL, contents=[image, "Caption this image."])
    assert described(recorder.body) == snapshot


def test_shape_of_part_from_bytes(client, recorder, snapshot):
    image = types.Part.from_bytes(data=encoded(picture(), "JPEG"), mime_type="image/jpeg")
    client.models.generate_content(model=MODEL, contents=["What is this image?", image])
    assert described(recorder.body) == snapshot


def test_shape_of_an_uploaded_file(client, recorder, snapshot):
    client.models.generate_content(model=MODEL, contents=[file(), "Caption this image."])
    assert described(recorder.body) == snapshot


def test_shape_of_several_images_mixed(client, recorder, snapshot):
    # The guide's "Prompting with multiple images", plus a PIL image and a WebP from bytes.
    client.models.generate_content(
        model=MODEL,
        contents=[
            "What is different between these images?",
            file("image1", "image/jpeg"),
            types.Part.from_bytes(data=encoded(picture(), "PNG"), mime_type="image/png"),
            picture("L", (5, 5)),
            types.Part.from_bytes(data=encoded(picture(), "WEBP"), mime_type="image/webp"),
        ],
        config=types.GenerateContentConfig(system_instruction="Answer in one sentence."),
    )
    assert described(recorder.body) == snapshot


def test_shape_of_a_segmentation_request(client, recorder, snapshot):
    # The guide's segmentation example: a thumbnailed PIL image after the prompt, no thinking.
    image = picture(size=(60, 40))
    image.thumbnail((32, 32), Image.Resampling.LANCZOS)
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0))
    client.models.generate_content(
        model=MODEL, contents=["Give the segmentation masks.", image], config=config
    )
    assert described(recorder.body) == snapshot


# --- Supported MIME types ----------------------------------------------------------------------


@pytest.mark.parametrize("mime_type", ["image/gif", "image/bmp", "image/tiff", "image/svg+xml"])
def test_an_unsupported_image_type_is_refused_before_sending(client, recorder, mime_type):
    part = types.Part.from_bytes(data=b"GIF89a", mime_type=mime_type)

    with pytest.raises(errors.UnsupportedImageTypeError) as caught:
        client.models.generate_content(model=MODEL, contents=[part, "Caption this."])

    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, errors.ImageError)
    assert (error.mime_type, error.supported) == (mime_type, SUPPORTED)
    assert mime_type in str(error) and all(supported in str(error) for supported in SUPPORTED)
    assert recorder.requests == []


def test_a_misspelled_jpeg_type_gets_a_hint(client):
    part = types.Part.from_bytes(data=b"\xff\xd8", mime_type="image/jpg")
    with pytest.raises(errors.UnsupportedImageTypeError, match="did you mean 'image/jpeg'"):
        client.models.generate_content(model=MODEL, contents=part)


@pytest.mark.parametrize(
    "mime_type", [*SUPPORTED, "IMAGE/PNG", "image/jpeg; q=1", "application/pdf", "audio/mpeg"]
)
def test_supported_images_and_other_media_are_sent(client, recorder, mime_type):
    part = types.Part.from_bytes(data=b"\x00\x01", mime_type=mime_type)
    client.models.generate_content(model=MODEL, contents=part)
    assert inline_parts(recorder.body) == [(mime_type, b"\x00\x01")]


GIF = {"inline_data": {"data": "R0lGODlh", "mime_type": "image/gif"}}


@pytest.mark.parametrize(
    "contents",
    [
        [GIF, "a part dict"],
        {"role": "user", "parts": [GIF]},
        [types.Content(role="user", parts=[types.Part(**{"inline_data": types.Blob(**{  # type: ignore[arg-type]
            "data": b"GIF89a", "mime_type": "image/gif"})})])],
        [["a nested list", GIF]],
    ],
    ids=["part-dict", "content-dict", "content", "nested-list"],
)  # fmt: skip
def test_every_way_of_writing_an_inline_image_is_checked(client, recorder, contents):
    with pytest.raises(errors.UnsupportedImageTypeError):
        client.models.generate_content(model=MODEL, contents=contents)
    assert recorder.requests == []


def test_a_system_instruction_image_count_tokens_and_a_chat_are_checked(client, recorder):
    gif = types.Part.from_bytes(data=b"GIF89a", mime_type="image/gif")
    config = types.GenerateContentConfig(system_instruction=gif)
    with pytest.raises(errors.UnsupportedImageTypeError):
        client.models.generate_content(model=MODEL, contents="Hi", config=config)
    with pytest.raises(errors.UnsupportedImageTypeError):
        client.models.count_tokens(model=MODEL, contents=[gif])
    with pytest.raises(errors.UnsupportedImageTypeError):
        client.chats.create(model=MODEL).send_message([gif, "What is this?"])
    assert recorder.requests == []


def test_an_uploaded_file_is_the_services_to_judge(client, recorder):
    client.models.generate_content(model=MODEL, contents=[file(mime_type="image/gif"), "Hi"])
    assert len(recorder.requests) == 1


# --- 20 MB of inline data ----------------------------------------------------------------------

LIMIT_RAW = MAX_INLINE_BYTES // 4 * 3  # the most raw bytes whose base64 fits: 15,728,640


def blob(size: int, mime_type: str = "image/png") -> types.Part:
    return types.Part.from_bytes(data=bytes(size), mime_type=mime_type)


def test_the_limit_is_20_mib_of_base64():
    assert MAX_INLINE_BYTES == 20 * 1024 * 1024 == 20_971_520
    assert base64_size(LIMIT_RAW) == MAX_INLINE_BYTES
    assert base64_size(LIMIT_RAW + 1) == MAX_INLINE_BYTES + 4
    assert [base64_size(n) for n in range(7)] == [len(base64.b64encode(bytes(n))) for n in range(7)]


def test_inline_data_of_exactly_20_mb_as_sent_is_sent(client, recorder):
    client.models.generate_content(model=MODEL, contents=[blob(LIMIT_RAW), "Caption this."])

    (request,) = recorder.requests
    assert len(json.loads(request.content)["contents"][0]["parts"][0]["inlineData"]["data"]) == (
        MAX_INLINE_BYTES
    )


def test_one_byte_more_is_refused_before_sending_with_a_pointer_to_files_upload(client, recorder):
    with pytest.raises(errors.InlineDataTooLargeError, match=r"client\.files\.upload") as caught:
        client.models.generate_content(model=MODEL, contents=[blob(LIMIT_RAW + 1), "Caption."])

    assert isinstance(caught.value, ValueError)
    assert (caught.value.size, caught.value.limit) == (MAX_INLINE_BYTES + 4, MAX_INLINE_BYTES)
    assert "20,971,524 bytes" in str(caught.value)
    assert recorder.requests == []


def test_the_limit_is_on_the_whole_request(client, recorder):
    half = LIMIT_RAW // 2 + 3  # two halves, each fine alone, over the limit together
    config = types.GenerateContentConfig(system_instruction=blob(half, "application/pdf"))
    with pytest.raises(errors.InlineDataTooLargeError):
        client.models.generate_content(model=MODEL, contents=[blob(half)], config=config)
    history = [
        types.Content(role="user", parts=[blob(half)]),
        {"role": "model", "parts": [{"text": "ok"}]},
    ]
    with pytest.raises(errors.InlineDataTooLargeError):
        client.models.generate_content(model=MODEL, contents=[*history, blob(half)])
    assert recorder.requests == []


def test_uploaded_files_do_not_count_towards_the_inline_limit(client, recorder):
    contents = [blob(LIMIT_RAW), *[file(f"f{n}") for n in range(10)], "Compare."]
    client.models.generate_content(model=MODEL, contents=contents)
    assert len(recorder.requests) == 1


def test_streams_and_chats_are_checked_in_the_same_place(client, recorder):
    too_big = [blob(LIMIT_RAW + 1), "Caption."]
    with pytest.raises(errors.InlineDataTooLargeError):
        for _ in client.models.generate_content_stream(model=MODEL, contents=too_big):
            pass
    with pytest.raises(errors.InlineDataTooLargeError):
        client.chats.create(model=MODEL).send_message(too_big)
    assert recorder.requests == []


@pytest.mark.anyio
async def test_the_async_client_is_checked_too(client, recorder):
    with pytest.raises(errors.InlineDataTooLargeError):
        await client.aio.models.generate_content(model=MODEL, contents=[blob(LIMIT_RAW + 1)])
    with pytest.raises(errors.TooManyImagesError):
        await client.aio.models.generate_content(model=MODEL, contents=[file()] * 3601)
    assert recorder.requests == []


# --- 3,600 images ------------------------------------------------------------------------------


def test_3600_images_are_sent(client, recorder):
    contents = [*[file(f"f{n}") for n in range(3599)], blob(10), "Which is the odd one out?"]
    client.models.generate_content(model=MODEL, contents=contents)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("last", ["file", "inline", "pil"])
def test_the_3601st_image_is_refused_before_sending(client, recorder, last):
    extra = {"file": file("last"), "inline": blob(10), "pil": picture()}[last]
    contents = [*[file(f"f{n}") for n in range(MAX_IMAGES)], extra, "Which is the odd one out?"]

    with pytest.raises(errors.TooManyImagesError, match="3,601 images.*at most 3,600") as caught:
        client.models.generate_content(model=MODEL, contents=contents)

    assert isinstance(caught.value, ValueError)
    assert (caught.value.count, caught.value.limit) == (3601, 3600)
    assert recorder.requests == []


def test_images_in_earlier_turns_count_and_other_media_do_not(client, recorder):
    history = [
        types.Content(role="user", parts=[to_part(file(f"h{n}")) for n in range(3000)]),
        types.Content(role="model", parts=[types.Part(text="Seen.")]),
    ]
    pdfs = [file(f"d{n}", "application/pdf") for n in range(1000)]
    client.models.generate_content(model=MODEL, contents=[*history, *pdfs, "Summarise."])
    with pytest.raises(errors.TooManyImagesError):
        client.models.generate_content(
            model=MODEL, contents=[*history, *[file(f"i{n}") for n in range(601)]]
        )
    assert len(recorder.requests) == 1


def test_a_request_without_images_is_unchanged(client, recorder):
    client.models.generate_content(model=MODEL, contents="How does AI work?")
    assert recorder.body == {
        "contents": [{"parts": [{"text": "How does AI work?"}], "role": "user"}]
    }
