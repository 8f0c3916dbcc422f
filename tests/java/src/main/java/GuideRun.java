import com.google.genai.errors.ApiException;
import com.google.genai.types.File;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runs the guide's Java examples, in one JVM, and prints one JSON line per example:
 *
 * <pre>
 *   java -cp ... GuideRun basic stream chat ...
 *   {"example", "class", "ok", "printed", "stderr", "logged": [...], "files": [...][, "error"]}
 * </pre>
 *
 * Each example is the guide's class, its {@code main} called as a reader runs it; what it printed
 * (System.out), what it wrote to System.err, what the SDK logged (java.util.logging) and the
 * files it uploaded are what the reader sees. An example that throws has {@code "ok": false} and
 * {@code "error": {"class", "message"[, "code", "status", "apiMessage"]}} (the last three for
 * an ApiException: its code(), status() and message()). The exit code is 0 even when examples fail, 2 for a usage error.
 */
public final class GuideRun {
  /** Each example's name (as tests/js/guide.mjs names the same example) and its class. */
  static final Map<String, String> EXAMPLES = new LinkedHashMap<>();

  static {
    EXAMPLES.put("basic", "GenerateContentWithTextInput");
    EXAMPLES.put("thinking_off", "GenerateContentWithThinkingConfig");
    EXAMPLES.put("system_instruction", "GenerateContentWithSystemInstruction");
    EXAMPLES.put("temperature", "GenerateContentWithConfig");
    EXAMPLES.put("multimodal", "GenerateContentWithMultiModalInputs");
    EXAMPLES.put("stream", "GenerateContentStream");
    EXAMPLES.put("chat", "MultiTurnConversation");
    EXAMPLES.put("chat_stream", "MultiTurnConversationWithStreaming");
    // Beyond the guide: what apps put in a generateContent call (AppFeatures.java)
    EXAMPLES.put("tool_choice", "AppFeatures$ToolChoice");
    EXAMPLES.put("builtin_tools", "AppFeatures$BuiltinTools");
    EXAMPLES.put("google_maps", "AppFeatures$GoogleMapsGrounding");
    EXAMPLES.put("tools_combined", "AppFeatures$ToolsCombined");
    EXAMPLES.put("logprobs", "AppFeatures$Logprobs");
    EXAMPLES.put("embeddings", "AppFeatures$Embeddings");
    EXAMPLES.put("caches", "AppFeatures$Caches");
    EXAMPLES.put("batches", "AppFeatures$Batches");
  }

  /** The SDK's log records while an example runs. */
  static final class Records extends Handler {
    final JsonArray records = new JsonArray();

    @Override
    public void publish(LogRecord record) {
      JsonObject item = new JsonObject();
      item.addProperty("level", record.getLevel().getName());
      item.addProperty("logger", record.getLoggerName());
      item.addProperty("message", new java.util.logging.SimpleFormatter().formatMessage(record));
      records.add(item);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  public static void main(String[] args) throws Exception {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    for (String name : args) {
      if (!EXAMPLES.containsKey(name)) {
        stderr.println("unknown example: " + name + "\nexamples: " + EXAMPLES.keySet());
        System.exit(2);
      }
    }
    if (args.length == 0) {
      stderr.println("usage: java GuideRun <example-name> [more names...]");
      System.exit(2);
    }
    Logger root = Logger.getLogger("");
    Gson gson = new Gson();
    for (String name : args) {
      JsonObject line = new JsonObject();
      line.addProperty("example", name);
      line.addProperty("class", EXAMPLES.get(name));
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      Records records = new Records();
      records.setLevel(Level.ALL);
      root.addHandler(records);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
      try {
        Class.forName(EXAMPLES.get(name))
            .getMethod("main", String[].class)
            .invoke(null, (Object) new String[0]);
        line.addProperty("ok", true);
      } catch (InvocationTargetException e) {
        line.addProperty("ok", false);
        line.add("error", error(e.getCause()));
      } finally {
        System.out.flush();
        System.err.flush();
        System.setOut(stdout);
        System.setErr(stderr);
        root.removeHandler(records);
      }
      line.addProperty("printed", printed.toString(StandardCharsets.UTF_8));
      line.addProperty("stderr", written.toString(StandardCharsets.UTF_8));
      line.add("logged", records.records);
      JsonArray files = new JsonArray();
      for (File file : GuideFiles.takeUploaded()) {
        files.add(JsonParser.parseString(file.toJson()));
      }
      line.add("files", files);
      stdout.println(gson.toJson(line));
    }
    stdout.flush();
  }

  static JsonObject error(Throwable e) {
    JsonObject error = new JsonObject();
    error.addProperty("class", e.getClass().getName());
    error.addProperty("message", e.getMessage());
    if (e instanceof ApiException) {
      ApiException api = (ApiException) e;
      error.addProperty("code", api.code());
      error.addProperty("status", api.status());
      error.addProperty("apiMessage", api.message());
    }
    return error;
  }
}
