import com.google.genai.Client;
import com.google.genai.JsonSerializable;
import com.google.genai.Pager;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.BatchJob;
import com.google.genai.types.BatchJobSource;
import com.google.genai.types.CachedContent;
import com.google.genai.types.Candidate;
import com.google.genai.types.Content;
import com.google.genai.types.ContentEmbedding;
import com.google.genai.types.CreateBatchJobConfig;
import com.google.genai.types.CreateCachedContentConfig;
import com.google.genai.types.EmbedContentConfig;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.FunctionResponse;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GoogleMaps;
import com.google.genai.types.GoogleSearch;
import com.google.genai.types.InlinedRequest;
import com.google.genai.types.InlinedResponse;
import com.google.genai.types.JobState;
import com.google.genai.types.LatLng;
import com.google.genai.types.ListBatchJobsConfig;
import com.google.genai.types.ListCachedContentsConfig;
import com.google.genai.types.Part;
import com.google.genai.types.RetrievalConfig;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import com.google.genai.types.ToolCodeExecution;
import com.google.genai.types.ToolConfig;
import com.google.genai.types.Type;
import com.google.genai.types.UpdateCachedContentConfig;
import com.google.genai.types.UrlContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Examples beyond the guide: what apps put in a generateContent call, written with the SDK as an
 * app would (tests/compat/test_java_sdk_features.py checks them). GuideRun runs each class by its
 * name; each prints one JSON value, what the SDK read back.
 */
public final class AppFeatures {
  private AppFeatures() {}

  static final String FLASH = "gemini-2.5-flash";
  static final String GEMINI_3 = "gemini-3-flash-preview";

  static void show(Object value) {
    System.out.println(JsonSerializable.toJsonString(value));
  }

  /** The answer's text, read from its parts, as text() would give it without its warnings. */
  static String textOf(GenerateContentResponse response) {
    StringBuilder text = new StringBuilder();
    for (Part part : response.parts()) {
      if (!part.thought().orElse(false)) {
        text.append(part.text().orElse(""));
      }
    }
    return text.toString();
  }

  static Candidate first(GenerateContentResponse response) {
    return response.candidates().orElseThrow().get(0);
  }

  static Object json(Object value) {
    return value == null ? null : JsonSerializable.toJsonNode(value);
  }

  /** The call's refusal, as {@link #failure} shows it; null when it was answered. */
  static Map<String, Object> refusal(Runnable call) {
    try {
      call.run();
      return null;
    } catch (ApiException e) {
      return failure(e);
    }
  }

  static Map<String, Object> failure(ApiException e) {
    Map<String, Object> failure = new LinkedHashMap<>();
    failure.put("code", e.code());
    failure.put("status", e.status());
    failure.put("message", e.message());
    return failure;
  }

  static FunctionDeclaration cityFunction(String name, String description) {
    Schema city = Schema.builder().type(Type.Known.STRING).description("The city, e.g. Paris").build();
    return FunctionDeclaration.builder()
        .name(name)
        .description(description)
        .parameters(
            Schema.builder().type(Type.Known.OBJECT).properties(Map.of("city", city)).required("city"))
        .build();
  }

  static List<Map<String, Object>> calls(GenerateContentResponse response) {
    List<Map<String, Object>> calls = new ArrayList<>();
    for (FunctionCall call : response.functionCalls()) {
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("name", call.name().orElse(null));
      shown.put("args", call.args().orElse(null));
      call.id().ifPresent(id -> shown.put("id", id));
      calls.add(shown);
    }
    return calls;
  }

  /** Functions chosen by meaning; the app runs each and sends the results back. */
  public static final class ToolChoice {
    public static void main(String[] args) {
      Client client = new Client();
      GenerateContentConfig config =
          GenerateContentConfig.builder()
              .tools(
                  Tool.builder()
                      .functionDeclarations(
                          cityFunction("get_weather", "Get the current weather in a city."),
                          cityFunction("get_time", "Get the current local time in a city.")))
              .build();
      List<Map<String, Object>> turns = new ArrayList<>();
      for (String prompt :
          List.of(
              "Do I need an umbrella in Paris?",
              "Write a haiku about the sea.",
              "What's the weather in Boston and in Paris?")) {
        List<Content> contents = new ArrayList<>(List.of(Content.fromParts(Part.fromText(prompt))));
        GenerateContentResponse result = client.models.generateContent(FLASH, contents, config);
        Map<String, Object> turn = new LinkedHashMap<>();
        turn.put("prompt", prompt);
        turn.put("calls", calls(result));
        turn.put("text", textOf(result));
        if (!result.functionCalls().isEmpty()) {
          List<Part> replies = new ArrayList<>();
          for (FunctionCall call : result.functionCalls()) {
            String city = String.valueOf(call.args().orElseThrow().get("city"));
            replies.add(
                Part.fromFunctionResponse(call.name().orElseThrow(), Map.of("report", "sunny in " + city)));
          }
          contents.add(first(result).content().orElseThrow());
          contents.add(Content.builder().role("user").parts(replies).build());
          turn.put("after", textOf(client.models.generateContent(FLASH, contents, config)));
        }
        turns.add(turn);
      }
      show(turns);
    }
  }

  /** Google Search, code execution and URL context, unary and streamed. */
  public static final class BuiltinTools {
    public static void main(String[] args) {
      Client client = new Client();
      GenerateContentConfig config =
          GenerateContentConfig.builder()
              .tools(
                  Tool.builder().googleSearch(GoogleSearch.builder()),
                  Tool.builder().codeExecution(ToolCodeExecution.builder()),
                  Tool.builder().urlContext(UrlContext.builder()))
              .build();
      String prompt =
          "What is 12 * (5 + 3), and what does https://example.com/guide say? Or http://localhost:9/x?";
      GenerateContentResponse result = client.models.generateContent(GEMINI_3, prompt, config);
      Candidate candidate = first(result);
      List<Map<String, Object>> chunks = new ArrayList<>();
      try (ResponseStream<GenerateContentResponse> stream =
          client.models.generateContentStream(GEMINI_3, prompt, config)) {
        for (GenerateContentResponse chunk : stream) {
          Map<String, Object> shown = new LinkedHashMap<>();
          shown.put("text", textOf(chunk));
          shown.put("result", chunk.codeExecutionResult());
          shown.put("grounding", json(first(chunk).groundingMetadata().orElse(null)));
          chunks.add(shown);
        }
      }
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("text", textOf(result));
      shown.put("code", result.executableCode());
      shown.put("result", result.codeExecutionResult());
      shown.put("grounding", json(candidate.groundingMetadata().orElse(null)));
      shown.put("urlContext", json(candidate.urlContextMetadata().orElse(null)));
      shown.put("usage", json(result.usageMetadata().orElse(null)));
      shown.put("chunks", chunks);
      show(shown);
    }
  }

  /** Google Maps grounding with its widget, near a place. */
  public static final class GoogleMapsGrounding {
    public static void main(String[] args) {
      Client client = new Client();
      GenerateContentConfig config =
          GenerateContentConfig.builder()
              .tools(Tool.builder().googleMaps(GoogleMaps.builder().enableWidget(true)))
              .toolConfig(
                  ToolConfig.builder()
                      .retrievalConfig(
                          RetrievalConfig.builder()
                              .latLng(LatLng.builder().latitude(34.050481).longitude(-118.248526))))
              .build();
      GenerateContentResponse result =
          client.models.generateContent(
              FLASH, "What are the best Italian restaurants within a 15-minute walk from here?", config);
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("text", textOf(result));
      shown.put("grounding", json(first(result).groundingMetadata().orElse(null)));
      show(shown);
    }
  }

  /** Google Search beside a function on Gemini 3, the function's response sent back by its id. */
  public static final class ToolsCombined {
    public static void main(String[] args) {
      Client client = new Client();
      GenerateContentConfig config =
          GenerateContentConfig.builder()
              .tools(
                  Tool.builder()
                      .googleSearch(GoogleSearch.builder())
                      .functionDeclarations(
                          cityFunction("getWeather", "Gets the weather for a requested city.")))
              .toolConfig(ToolConfig.builder().includeServerSideToolInvocations(true))
              .build();
      List<Content> contents =
          new ArrayList<>(
              List.of(Content.fromParts(Part.fromText("What is the weather like in Utqiagvik today?"))));
      GenerateContentResponse answer = client.models.generateContent(GEMINI_3, contents, config);
      List<Part> replies = new ArrayList<>();
      for (FunctionCall call : answer.functionCalls()) {
        FunctionResponse response =
            FunctionResponse.builder()
                .name(call.name().orElseThrow())
                .id(call.id().orElseThrow())
                .response(Map.of("forecast", "snow, -12 °C"))
                .build();
        replies.add(Part.builder().functionResponse(response).build());
      }
      contents.add(first(answer).content().orElseThrow());
      contents.add(Content.builder().role("user").parts(replies).build());
      GenerateContentResponse after = client.models.generateContent(GEMINI_3, contents, config);
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("parts", json(first(answer).content().orElseThrow().parts().orElseThrow()));
      shown.put("calls", calls(answer));
      shown.put("text", textOf(after));
      shown.put(
          "refused",
          refusal(() -> client.models.generateContent(FLASH, "Weather in Oslo?", config)));
      show(shown);
    }
  }

  /** Log probabilities on 2.0, and their refusal on 2.5. */
  public static final class Logprobs {
    public static void main(String[] args) {
      Client client = new Client();
      GenerateContentConfig config =
          GenerateContentConfig.builder().responseLogprobs(true).logprobs(3).build();
      GenerateContentResponse result =
          client.models.generateContent("gemini-2.0-flash", "Name a primary colour.", config);
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("text", textOf(result));
      shown.put("avgLogprobs", first(result).avgLogprobs().orElse(null));
      shown.put("result", json(first(result).logprobsResult().orElse(null)));
      shown.put(
          "refused",
          refusal(() -> client.models.generateContent(FLASH, "Name a primary colour.", config)));
      show(shown);
    }
  }

  static final List<String> DOCUMENTS =
      List.of(
          "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
          "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.",
          "The Great Barrier Reef off Australia is the largest coral reef system.",
          "A sourdough starter is a culture of wild yeast and lactic acid bacteria.",
          "Jupiter is the largest planet in the Solar System, a gas giant.");

  static double cosine(List<Float> a, List<Float> b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.size(); i++) {
      dot += a.get(i) * b.get(i);
      na += a.get(i) * a.get(i);
      nb += b.get(i) * b.get(i);
    }
    return dot / Math.sqrt(na * nb);
  }

  /** Documents and a question embedded, the nearest picked; a batch too large refused. */
  public static final class Embeddings {
    public static void main(String[] args) {
      Client client = new Client();
      EmbedContentConfig documents =
          EmbedContentConfig.builder().taskType("RETRIEVAL_DOCUMENT").outputDimensionality(768).build();
      EmbedContentConfig query =
          EmbedContentConfig.builder().taskType("RETRIEVAL_QUERY").outputDimensionality(768).build();
      List<ContentEmbedding> stored =
          client.models.embedContent("gemini-embedding-001", DOCUMENTS, documents).embeddings().orElseThrow();
      EmbedContentResponse asked =
          client.models.embedContent("gemini-embedding-001", "Which planet is the biggest gas giant?", query);
      List<Float> question = asked.embeddings().orElseThrow().get(0).values().orElseThrow();
      int nearest = -1;
      double best = -2;
      for (int i = 0; i < stored.size(); i++) {
        double score = cosine(stored.get(i).values().orElseThrow(), question);
        if (score > best) {
          nearest = i;
          best = score;
        }
      }
      List<String> tooMany = new ArrayList<>();
      for (int i = 0; i < 101; i++) {
        tooMany.add("text " + i);
      }
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("count", stored.size());
      shown.put("dimensions", stored.get(0).values().orElseThrow().size());
      shown.put("nearest", nearest);
      shown.put(
          "refused",
          refusal(() -> client.models.embedContent("gemini-embedding-001", tooMany, null)));
      show(shown);
    }
  }

  /** A cache created, read, listed page by page, extended, used and deleted. */
  public static final class Caches {
    public static void main(String[] args) {
      Client client = new Client();
      String manual = "The pump must be primed before the first start. ".repeat(160);
      List<CachedContent> created = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        created.add(
            client.caches.create(
                FLASH,
                CreateCachedContentConfig.builder()
                    .displayName("manual " + i)
                    .contents(List.of(Content.fromParts(Part.fromText(manual))))
                    .systemInstruction(Content.fromParts(Part.fromText("Answer from the manual.")))
                    .ttl(Duration.ofSeconds(300))
                    .build()));
      }
      String name = created.get(0).name().orElseThrow();
      CachedContent got = client.caches.get(name, null);
      List<String> listed = new ArrayList<>();
      Pager<CachedContent> pager =
          client.caches.list(ListCachedContentsConfig.builder().pageSize(2).build());
      for (CachedContent item : pager) {
        listed.add(item.name().orElseThrow());
      }
      CachedContent updated =
          client.caches.update(
              name, UpdateCachedContentConfig.builder().ttl(Duration.ofHours(1)).build());
      GenerateContentResponse answer =
          client.models.generateContent(
              FLASH,
              "What comes before the first start?",
              GenerateContentConfig.builder().cachedContent(name).build());
      for (CachedContent each : created) {
        client.caches.delete(each.name().orElseThrow(), null);
      }
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("created", json(created));
      shown.put("got", json(got));
      shown.put("listed", listed);
      shown.put(
          "extended",
          Duration.between(
                  created.get(0).expireTime().orElseThrow(), updated.expireTime().orElseThrow())
              .toSeconds());
      shown.put("usage", json(answer.usageMetadata().orElse(null)));
      shown.put("gone", refusal(() -> client.caches.get(name, null)));
      show(shown);
    }
  }

  /** An inline batch created, polled until done, its answers read, listed and deleted. */
  public static final class Batches {
    public static void main(String[] args) throws InterruptedException {
      Client client = new Client();
      List<InlinedRequest> requests = new ArrayList<>();
      for (String prompt : List.of("Name a primary colour.", "Say hello in French.")) {
        requests.add(
            InlinedRequest.builder()
                .contents(List.of(Content.fromParts(Part.fromText(prompt))))
                .metadata(Map.of("prompt", prompt))
                .build());
      }
      BatchJob job =
          client.batches.create(
              FLASH,
              BatchJobSource.builder().inlinedRequests(requests).build(),
              CreateBatchJobConfig.builder().displayName("colours and greetings").build());
      List<String> states = new ArrayList<>();
      states.add(job.state().orElseThrow().toString());
      for (int polls = 0;
          job.state().orElseThrow().knownEnum() != JobState.Known.JOB_STATE_SUCCEEDED && polls < 200;
          polls++) {
        Thread.sleep(20);
        job = client.batches.get(job.name().orElseThrow(), null);
        states.add(job.state().orElseThrow().toString());
      }
      List<Map<String, Object>> answers = new ArrayList<>();
      for (InlinedResponse inlined : job.dest().orElseThrow().inlinedResponses().orElseThrow()) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("metadata", inlined.metadata().orElse(null));
        answer.put("text", textOf(inlined.response().orElseThrow()));
        answers.add(answer);
      }
      List<String> listed = new ArrayList<>();
      for (BatchJob item : client.batches.list(ListBatchJobsConfig.builder().build())) {
        listed.add(item.name().orElseThrow());
      }
      String name = job.name().orElseThrow();
      client.batches.delete(name, null);
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("name", name);
      shown.put("display", job.displayName().orElse(null));
      shown.put("states", states);
      shown.put("answers", answers);
      shown.put("listed", listed);
      shown.put("gone", refusal(() -> client.batches.get(name, null)));
      show(shown);
    }
  }
}
