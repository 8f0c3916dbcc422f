"""The API's messages, as one table (a data table), with their enums in :mod:`.enums`.

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

The enums, the other half of the table, are :mod:`.enums`: each lists its values in the
service's numbering, the first the unset placeholder (``*_UNSPECIFIED``), which the service
leaves out of its answers.
"""

from __future__ import annotations

from .enums import ENUMS, NOT_SENT, REFUSED, sent_values

__all__ = [
    "ANSWERS_SAY",
    "CLIENT_ONLY",
    "ENUMS",
    "MESSAGES",
    "NOT_SENT",
    "PART_DATA",
    "REFUSED",
    "sent_fields",
    "sent_values",
]

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
    "BatchGenerateContentRequest": {"batch": "GenerateContentBatch"},
    # What a client sends of a batch (the service fills in the rest: docs/batches.md).
    "GenerateContentBatch": {
        "model": "string",
        "name": "string",
        "displayName": "string",
        "inputConfig": "InputConfig",
        "priority": "int64",
        "webhookConfig": "struct",
    },
    "InputConfig": {"fileName": "string", "requests": "InlinedRequests"},
    "InlinedRequests": {"requests": "InlinedRequest[]"},
    "InlinedRequest": {"request": "GenerateContentRequest", "metadata": "struct"},
    "CountTokensRequest": {
        "contents": "Content[]",
        "generateContentRequest": "GenerateContentRequest",
    },
    # cachedContents: create's and update's body, and the resource (times are JSON strings:
    # ``ttl`` a Duration such as "300s", ``expireTime`` a Timestamp).
    "CachedContent": {
        "expireTime": "string",
        "ttl": "string",
        "name": "string",
        "displayName": "string",
        "model": "string",
        "systemInstruction": "Content",
        "contents": "Content[]",
        "tools": "Tool[]",
        "toolConfig": "ToolConfig",
        "createTime": "string",
        "updateTime": "string",
        "usageMetadata": "CachedContentUsageMetadata",
    },
    "CachedContentUsageMetadata": {"totalTokenCount": "count"},
    "EmbedContentRequest": {
        "model": "string",
        "content": "Content",
        "taskType": "enum:TaskType",
        "title": "string",
        "outputDimensionality": "int32",
    },
    "BatchEmbedContentsRequest": {"requests": "EmbedContentRequest[]"},
    "FunctionResponse": {
        "id": "string",
        "name": "string",
        "response": "struct",
        "willContinue": "bool",
        "scheduling": "enum:Scheduling",
        "parts": "FunctionResponsePart[]",
    },
    # A multimodal function response: media the function returned, beside its JSON.
    "FunctionResponsePart": {
        "inlineData": "FunctionResponseBlob",
        "fileData": "FunctionResponseFileData",
        "mediaProcessing": "enum:MediaProcessing",
    },
    "FunctionResponseBlob": {"mimeType": "string", "data": "bytes", "displayName": "string"},
    "FunctionResponseFileData": {
        "mimeType": "string",
        "fileUri": "string",
        "displayName": "string",
    },
    "VideoMetadata": {"startOffset": "string", "endOffset": "string", "fps": "double"},
    "MediaResolution": {"level": "enum:PartMediaResolutionLevel"},
    "Tool": {
        "functionDeclarations": "FunctionDeclaration[]",
        "googleSearchRetrieval": "struct",
        "codeExecution": "struct",
        "googleSearch": "struct",
        "urlContext": "struct",
        "googleMaps": "GoogleMaps",
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
    "ToolConfig": {
        "functionCallingConfig": "FunctionCallingConfig",
        "retrievalConfig": "RetrievalConfig",
        # Gemini 3: the answer shows the server-side tools' calls as toolCall/toolResponse parts.
        "includeServerSideToolInvocations": "bool",
    },
    "GoogleMaps": {"enableWidget": "bool"},
    "RetrievalConfig": {"latLng": "LatLng", "languageCode": "string"},
    "LatLng": {"latitude": "double", "longitude": "double"},
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
    "EmbedContentResponse": {
        "embedding": "ContentEmbedding",
        "usageMetadata": "EmbeddingUsageMetadata",
    },
    "BatchEmbedContentsResponse": {
        "embeddings": "ContentEmbedding[]",
        "usageMetadata": "EmbeddingUsageMetadata",
    },
    "ContentEmbedding": {"values": "float[]"},
    # As recorded: "promptTokenDetails", singular (docs/evidence.md#service-embeddings).
    "EmbeddingUsageMetadata": {
        "promptTokenCount": "count",
        "promptTokenDetails": "ModalityTokenCount[]",
    },
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


def sent_fields(message: str) -> dict[str, str]:
    """The fields of ``message`` the service writes in its answers, with their kinds."""
    client_only = CLIENT_ONLY.get(message, frozenset())
    return {name: kind for name, kind in MESSAGES[message].items() if name not in client_only}
