import com.google.genai.Client;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;

public class GenerateContentWithConfig {
  public static void main(String[] args) {

    Client client = new Client();

    GenerateContentConfig config = GenerateContentConfig.builder().temperature(0.1f).build();

    GenerateContentResponse response =
        client.models.generateContent("gemini-2.5-flash", "Explain how AI works", config);

    System.out.println(response.text());
  }
}
