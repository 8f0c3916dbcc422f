"""The API's messages and enums, as one table (a data table: longer than a module should be).

Every message the fake reads or writes, by JSON name, with the kind of each field. The
transcoder (:mod:`.transcode`) reads request bodies with it, the service's checks
(:mod:`fake_server.model.validate`) take the part kinds from it, and the fixture linter
(:mod:`fake_server.fixtures.lint`) holds answers to it. One table, because the service has one:
a part a response carries is a part a chat sends back.

Field kinds::

    "string" "bool" "int32" "int64" "float" "double" "bytes"   scalars
    "count"                         an int32 that is never negative (token counts, indexes)
    "value"                         any JSON (google.protobuf.Value)
    "struct"                        a JSON object (google.protobuf.Struct)
    "enum:Name"                     a value from ENUMS["Name"] (or its number)
    "Name"                          another message of this table
    "Name[]" / "map:Name"           repeated / map<string, Name>

Each enum lists its values in the service's numbering: the first is the unset placeholder
(``*_UNSPECIFIED``), which the service leaves out of its answers.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- shared by requests and answers ---
    "Content": {"parts": "Part[]", "role": "string"},
    "Part": {
        "text": "string",
        "inlineData": "Blob",
        "fileData": "FileData",
        "functionCall": "FunctionCall",
        "functionResponse": "FunctionResponse",
        "executableCode": "ExecutableCode",
        "codeExecutionResult": "CodeExecutionResult",
        "toolCall": "ToolCall",
        "toolResponse": "ToolResponse",
        "videoMetadata": "VideoMetadata",
        "thought": "bool",
        "thoughtSignature": "bytes",
        "partMetadata": "struct",
        "mediaResolution": "MediaResolution",
    },
    "Blob": {"mimeType": "string", "data": "bytes"},
    "FileData": {"mimeType": "string", "fileUri": "string"},
    "FunctionCall": {"name": "string", "args": "struct", "id": "string"},
    "ExecutableCode": {"language": "enum:Language", "code": "string", "id": "string"},
    "CodeExecutionResult": {"outcome": "enum:Outcome", "output": "string", "id": "string"},
    "ToolCall": {"toolType": "enum:ToolType", "args": "struct", "id": "string"},
    "ToolResponse": {"toolType": "enum:ToolType", "response": "struct", "id": "string"},
    # --- requests ---
    "GenerateContentRequest": {
        "model": "string",
        "contents": "Content[]",
        "tools": "Tool[]",
        "toolConfig": "ToolConfig",
        "safetySettings": "SafetySetting[]",
        "systemInstruction": "Content",
        "generationConfig": "GenerationConfig",
        "cachedContent": "string",
        "serviceTier": "enum:ServiceTier",
        "store": "bool",
    },
    "CountTokensRequest": {
        "contents": "Content[]",
        "generateContentRequest": "GenerateContentRequest",
    },
    "FunctionResponse": {
        "id": "string",
        "name": "string",
        "response": "struct",
        "willContinue": "bool",
        "scheduling": "enum:Scheduling",
    },
    "VideoMetadata": {"startOffset": "string", "endOffset": "string", "fps": "double"},
    "MediaResolution": {"level": "enum:PartMediaResolutionLevel"},
    "Tool": {
        "functionDeclarations": "FunctionDeclaration[]",
        "googleSearchRetrieval": "struct",
        "codeExecution": "struct",
        "googleSearch": "struct",
        "urlContext": "struct",
        "googleMaps": "struct",
        "fileSearch": "struct",
        "computerUse": "struct",
    },
    "FunctionDeclaration": {
        "name": "string",
        "description": "string",
        "behavior": "enum:Behavior",
        "parameters": "Schema",
        "parametersJsonSchema": "value",
        "response": "Schema",
        "responseJsonSchema": "value",
    },
    "ToolConfig": {"functionCallingConfig": "FunctionCallingConfig", "retrievalConfig": "struct"},
    "FunctionCallingConfig": {
        "mode": "enum:FunctionCallingMode",
        "allowedFunctionNames": "string[]",
    },
    "SafetySetting": {"category": "enum:HarmCategory", "threshold": "enum:HarmBlockThreshold"},
    "GenerationConfig": {
        "stopSequences": "string[]",
        "responseMimeType": "string",
        "responseSchema": "Schema",
        "responseJsonSchema": "value",
        "responseModalities": "enum:Modality[]",
        "candidateCount": "int32",
        "maxOutputTokens": "int32",
        "temperature": "float",
        "topP": "float",
        "topK": "int32",
        "seed": "int32",
        "presencePenalty": "float",
        "frequencyPenalty": "float",
        "responseLogprobs": "bool",
        "logprobs": "int32",
        "enableEnhancedCivicAnswers": "bool",
        "speechConfig": "struct",
        "thinkingConfig": "ThinkingConfig",
        "imageConfig": "struct",
        "mediaResolution": "enum:MediaResolution",
    },
    "ThinkingConfig": {
        "includeThoughts": "bool",
        "thinkingBudget": "int32",
        "thinkingLevel": "enum:ThinkingLevel",
    },
    "Schema": {
        "type": "enum:Type",
        "format": "string",
        "title": "string",
        "description": "string",
        "nullable": "bool",
        "enum": "string[]",
        "maxItems": "int64",
        "minItems": "int64",
        "properties": "map:Schema",
        "required": "string[]",
        "minProperties": "int64",
        "maxProperties": "int64",
        "minLength": "int64",
        "maxLength": "int64",
        "pattern": "string",
        "example": "value",
        "anyOf": "Schema[]",
        "propertyOrdering": "string[]",
        "default": "value",
        "items": "Schema",
        "minimum": "double",
        "maximum": "double",
    },
    # --- answers (docs/fixture-lint.md) ---
    "GenerateContentResponse": {
        "candidates": "Candidate[]",
        "promptFeedback": "PromptFeedback",
        "usageMetadata": "UsageMetadata",
        "modelVersion": "string",
        "responseId": "string",
        "modelStatus": "ModelStatus",
    },
    "Candidate": {
        "content": "Content",
        "finishReason": "enum:FinishReason",
        "safetyRatings": "SafetyRating[]",
        "citationMetadata": "CitationMetadata",
        "tokenCount": "count",
        "groundingAttributions": "struct[]",
        "groundingMetadata": "GroundingMetadata",
        "avgLogprobs": "double",
        "logprobsResult": "LogprobsResult",
        "urlContextMetadata": "UrlContextMetadata",
        "index": "count",
        "finishMessage": "string",
        "continuationToken": "bytes",
    },
    "UsageMetadata": {
        "promptTokenCount": "count",
        "candidatesTokenCount": "count",
        "totalTokenCount": "count",
        "cachedContentTokenCount": "count",
        "promptTokensDetails": "ModalityTokenCount[]",
        "cacheTokensDetails": "ModalityTokenCount[]",
        "candidatesTokensDetails": "ModalityTokenCount[]",
        "toolUsePromptTokenCount": "count",
        "toolUsePromptTokensDetails": "ModalityTokenCount[]",
        "thoughtsTokenCount": "count",
        "serviceTier": "string",
    },
    "ModalityTokenCount": {"modality": "enum:MediaModality", "tokenCount": "count"},
    "PromptFeedback": {
        "blockReason": "enum:BlockReason",
        "safetyRatings": "SafetyRating[]",
        "blockReasonMessage": "string",
    },
    "SafetyRating": {
        "category": "enum:HarmCategory",
        "probability": "enum:HarmProbability",
        "blocked": "bool",
    },
    "CitationMetadata": {"citationSources": "CitationSource[]"},
    "CitationSource": {
        "startIndex": "count",
        "endIndex": "count",
        "uri": "string",
        "license": "string",
    },
    "GroundingMetadata": {
        "webSearchQueries": "string[]",
        "imageSearchQueries": "string[]",
        "searchEntryPoint": "SearchEntryPoint",
        "groundingChunks": "GroundingChunk[]",
        "groundingSupports": "GroundingSupport[]",
        "retrievalMetadata": "RetrievalMetadata",
        "googleMapsWidgetContextToken": "string",
    },
    "SearchEntryPoint": {"renderedContent": "string", "sdkBlob": "bytes"},
    "GroundingChunk": {
        "web": "WebChunk",
        "retrievedContext": "RetrievedContext",
        "maps": "struct",
        "image": "struct",
    },
    "WebChunk": {"uri": "string", "title": "string"},
    "RetrievedContext": {
        "uri": "string",
        "title": "string",
        "text": "string",
        "fileSearchStore": "string",
        "customMetadata": "CustomMetadata[]",
    },
    "CustomMetadata": {
        "key": "string",
        "stringValue": "string",
        "numericValue": "float",
        "stringListValue": "struct",
    },
    "GroundingSupport": {
        "segment": "Segment",
        "groundingChunkIndices": "count[]",
        "confidenceScores": "float[]",
    },
    "Segment": {"partIndex": "count", "startIndex": "count", "endIndex": "count", "text": "string"},
    "RetrievalMetadata": {"googleSearchDynamicRetrievalScore": "float"},
    "UrlContextMetadata": {"urlMetadata": "UrlMetadata[]"},
    "UrlMetadata": {"retrievedUrl": "string", "urlRetrievalStatus": "enum:UrlRetrievalStatus"},
    "LogprobsResult": {
        "topCandidates": "TopCandidates[]",
        "chosenCandidates": "LogprobsCandidate[]",
        "logProbabilitySum": "float",
    },
    "TopCandidates": {"candidates": "LogprobsCandidate[]"},
    "LogprobsCandidate": {"token": "string", "tokenId": "count", "logProbability": "float"},
    "ModelStatus": {
        "modelStage": "enum:ModelStage",
        "retirementTime": "string",
        "message": "string",
    },
}

# The part kinds: a part carries exactly one of these (the oneof ``data``), plus optionally
# ``thought``, ``thoughtSignature`` and the like.
PART_DATA = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
    "toolCall",
    "toolResponse",
)

# Fields the service reads in a request but never writes in an answer.
CLIENT_ONLY: dict[str, frozenset[str]] = {
    "Part": frozenset({"functionResponse", "videoMetadata", "mediaResolution"}),
}
# Where the service's answers say less than its requests may: a string field's only values.
ANSWERS_SAY: dict[tuple[str, str], tuple[str, ...]] = {
    ("Content", "role"): ("model",),  # an answer always comes from the model
}

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


def sent_fields(message: str) -> dict[str, str]:
    """The fields of ``message`` the service writes in its answers, with their kinds."""
    client_only = CLIENT_ONLY.get(message, frozenset())
    return {name: kind for name, kind in MESSAGES[message].items() if name not in client_only}
