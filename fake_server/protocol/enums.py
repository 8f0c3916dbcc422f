"""The API's enums, the other half of the message table (:mod:`.messages`); a data table.

Each enum lists its values in the service's numbering: the first is the unset placeholder
(``*_UNSPECIFIED``), which the service leaves out of its answers.
"""

from __future__ import annotations

ENUMS: dict[str, tuple[str, ...]] = {
    "HarmCategory": (
        "HARM_CATEGORY_UNSPECIFIED",
        "HARM_CATEGORY_DEROGATORY",
        "HARM_CATEGORY_TOXICITY",
        "HARM_CATEGORY_VIOLENCE",
        "HARM_CATEGORY_SEXUAL",
        "HARM_CATEGORY_MEDICAL",
        "HARM_CATEGORY_DANGEROUS",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_CIVIC_INTEGRITY",
        "HARM_CATEGORY_JAILBREAK",
        "HARM_CATEGORY_IMAGE_HATE",
        "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
        "HARM_CATEGORY_IMAGE_HARASSMENT",
        "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
    ),
    "HarmBlockThreshold": (
        "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
        "BLOCK_LOW_AND_ABOVE",
        "BLOCK_MEDIUM_AND_ABOVE",
        "BLOCK_ONLY_HIGH",
        "BLOCK_NONE",
        "OFF",
    ),
    "Type": (
        "TYPE_UNSPECIFIED",
        "STRING",
        "NUMBER",
        "INTEGER",
        "BOOLEAN",
        "ARRAY",
        "OBJECT",
        "NULL",
    ),
    "Modality": ("MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"),
    "TaskType": (
        "TASK_TYPE_UNSPECIFIED",
        "RETRIEVAL_QUERY",
        "RETRIEVAL_DOCUMENT",
        "SEMANTIC_SIMILARITY",
        "CLASSIFICATION",
        "CLUSTERING",
        "QUESTION_ANSWERING",
        "FACT_VERIFICATION",
        "CODE_RETRIEVAL_QUERY",
    ),
    "ThinkingLevel": ("THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"),
    "MediaResolution": (
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
    ),
    "PartMediaResolutionLevel": (
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
        "MEDIA_RESOLUTION_ULTRA_HIGH",
    ),
    "FunctionCallingMode": ("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"),
    "Behavior": ("UNSPECIFIED", "BLOCKING", "NON_BLOCKING"),
    "MediaProcessing": ("MEDIA_PROCESSING_UNSPECIFIED", "STATIC", "AGENTIC"),
    "Scheduling": ("SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT"),
    "Language": ("LANGUAGE_UNSPECIFIED", "PYTHON"),
    "Outcome": (
        "OUTCOME_UNSPECIFIED",
        "OUTCOME_OK",
        "OUTCOME_FAILED",
        "OUTCOME_DEADLINE_EXCEEDED",
    ),
    "ServiceTier": ("SERVICE_TIER_UNSPECIFIED", "STANDARD", "FLEX", "PRIORITY"),
    "MediaModality": (
        "MODALITY_UNSPECIFIED",
        "TEXT",
        "IMAGE",
        "AUDIO",
        "VIDEO",
        "DOCUMENT",
    ),
    "FinishReason": (
        "FINISH_REASON_UNSPECIFIED",
        *"STOP MAX_TOKENS SAFETY RECITATION LANGUAGE OTHER BLOCKLIST PROHIBITED_CONTENT "
        "SPII MALFORMED_FUNCTION_CALL IMAGE_SAFETY IMAGE_PROHIBITED_CONTENT IMAGE_OTHER "
        "NO_IMAGE IMAGE_RECITATION UNEXPECTED_TOOL_CALL TOO_MANY_TOOL_CALLS "
        "MISSING_THOUGHT_SIGNATURE MALFORMED_RESPONSE".split(),
    ),
    "BlockReason": (
        "BLOCK_REASON_UNSPECIFIED",
        *"SAFETY OTHER BLOCKLIST PROHIBITED_CONTENT IMAGE_SAFETY MODEL_ARMOR JAILBREAK".split(),
    ),
    "HarmProbability": ("HARM_PROBABILITY_UNSPECIFIED", "NEGLIGIBLE", "LOW", "MEDIUM", "HIGH"),
    "UrlRetrievalStatus": (
        "URL_RETRIEVAL_STATUS_UNSPECIFIED",
        "URL_RETRIEVAL_STATUS_SUCCESS",
        "URL_RETRIEVAL_STATUS_ERROR",
        "URL_RETRIEVAL_STATUS_PAYWALL",
        "URL_RETRIEVAL_STATUS_UNSAFE",
    ),
    "ToolType": (
        "TOOL_TYPE_UNSPECIFIED",
        *"GOOGLE_SEARCH_WEB GOOGLE_SEARCH_IMAGE URL_CONTEXT GOOGLE_MAPS FILE_SEARCH "
        "MEDIA_PROCESSING".split(),
    ),
    "ModelStage": (
        "MODEL_STAGE_UNSPECIFIED",
        *"UNSTABLE_EXPERIMENTAL EXPERIMENTAL PREVIEW STABLE LEGACY DEPRECATED RETIRED".split(),
    ),
}

# Values the service reads but never sends in an answer, and why.
NOT_SENT: dict[str, dict[str, str]] = {
    "HarmCategory": dict.fromkeys(
        ENUMS["HarmCategory"][1:7],  # DEROGATORY to DANGEROUS
        "a PaLM-era category; Gemini models never rate it",
    ),
}
# Values the service sends that the fake cannot stand behind, and why.
REFUSED: dict[str, dict[str, str]] = {
    "FinishReason": {
        "CONTINUATION": "makes the official SDKs re-request with a continuationToken, which the "
        "fake does not answer; end the answer with STOP",
    },
}


def sent_values(enum: str) -> tuple[str, ...]:
    """The values of ``enum`` the service writes in its answers."""
    not_sent = NOT_SENT.get(enum, {})
    return tuple(value for value in ENUMS[enum][1:] if value not in not_sent)
