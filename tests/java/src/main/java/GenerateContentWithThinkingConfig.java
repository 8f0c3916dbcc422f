import com.google.genai.Client;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.ThinkingConfig;

public class GenerateContentWithThinkingConfig {
  public static void main(String[] args) {

    Client client = new Client();

    GenerateContentConfig config =
        GenerateContentConfig.builder()
            // Disables thinking
            .thinkingConfig(ThinkingConfig.builder().thinkingBudget(0))
            .build();

    GenerateContentResponse response =
        client.models.generateContent("gemini-2.5-flash", "How does AI work?", config);

    System.out.println(response.text());
  }
}
