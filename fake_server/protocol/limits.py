"""The service's limits and the MIME types it accepts, as numbers and sets (docs/files.md)."""

from __future__ import annotations

from datetime import timedelta

# A JSON request body past this is refused (docs/evidence.md#service-request-size): "inline
# image data limits your total request size (text prompts, system instructions, and inline
# bytes) to 20MB", as the guide says.
MAX_REQUEST_BYTES = 20 * 1024 * 1024
# An upload's start body is a few hundred bytes of file metadata; the project's own limit.
MAX_UPLOAD_START_BYTES = 64 * 1024
MAX_DISPLAY_NAME_CHARS = 512  # the Files API reference's limit on a file's display name
MAX_FILE_BYTES = 2 * 1024**3  # the service's limit per file
DEFAULT_QUOTA_BYTES = 20 * 1024**3  # the service's storage per project
FILE_LIFETIME = timedelta(hours=48)  # an uploaded file expires 48 h after its upload began

# What the service accepts as inline data (and as uploaded files): the Gemini API's documented
# image, audio, video and document types.
SUPPORTED_MIME_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/heic",
        "image/heif",
        "audio/wav",
        "audio/x-wav",
        "audio/mp3",
        "audio/mpeg",
        "audio/aiff",
        "audio/aac",
        "audio/ogg",
        "audio/flac",
        "audio/l16",
        "audio/webm",
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/quicktime",
        "video/avi",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/3gpp",
        "application/pdf",
        "application/json",
        "application/x-javascript",
        "application/x-python",
        "text/plain",
        "text/html",
        "text/css",
        "text/javascript",
        "text/x-typescript",
        "text/csv",
        "text/markdown",
        "text/x-python",
        "text/xml",
        "text/rtf",
    }
)
# Uploaded, but never sent inline: a batch's input file (JSON Lines), which the batch guide
# uploads with the MIME type "jsonl" (docs/evidence.md#service-batches).
UPLOAD_ONLY_MIME_TYPES = frozenset({"jsonl", "application/jsonl"})
RESPONSE_MIME_TYPES = (
    "text/plain",
    "application/json",
    "application/xml",
    "application/yaml",
    "text/x.enum",
)
MAX_CANDIDATES = 8
