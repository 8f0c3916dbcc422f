import com.google.genai.Client;
import com.google.genai.JsonSerializable;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.Candidate;
import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.FunctionResponse;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GoogleMaps;
import com.google.genai.types.GoogleSearch;
import com.google.genai.types.LatLng;
import com.google.genai.types.Part;
import com.google.genai.types.RetrievalConfig;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import com.google.genai.types.ToolCodeExecution;
import com.google.genai.types.ToolConfig;
import com.google.genai.types.Type;
import com.google.genai.types.UrlContext;
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
      try {
        client.models.generateContent(FLASH, "Weather in Oslo?", config);
        shown.put("refused", null);
      } catch (ApiException e) {
        shown.put("refused", failure(e));
      }
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
      try {
        client.models.generateContent(FLASH, "Name a primary colour.", config);
        shown.put("refused", null);
      } catch (ApiException e) {
        shown.put("refused", failure(e));
      }
      show(shown);
    }
  }
}
