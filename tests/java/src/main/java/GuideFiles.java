import com.google.genai.Client;
import com.google.genai.types.File;
import com.google.genai.types.UploadFileConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files the guide's examples name: {@code uri("/path/to/organ.jpg")} uploads the file the
 * test made for that path (its location in the environment variable named in {@link #FILES})
 * with the Files API and returns the uploaded file's URI, which is what {@code Part.fromUri}
 * needs (the guide prints a local path there).
 */
public final class GuideFiles {
  /** Each guide path, the variable holding the test's file for it, and its MIME type. */
  static final Map<String, String[]> FILES =
      Map.of("/path/to/organ.jpg", new String[] {"GUIDE_ORGAN_JPG", "image/jpeg"});

  /** Every file uploaded since the last {@link #takeUploaded()}, as the SDK returned it. */
  private static final List<File> uploaded = new ArrayList<>();

  private GuideFiles() {}

  public static String uri(String guidePath) {
    String[] file = FILES.get(guidePath);
    if (file == null) {
      throw new IllegalArgumentException("no file stands for " + guidePath);
    }
    String path = System.getenv(file[0]);
    if (path == null || path.isEmpty()) {
      throw new IllegalStateException("set " + file[0] + " to the file for " + guidePath);
    }
    Client client = new Client();
    File upload =
        client.files.upload(path, UploadFileConfig.builder().mimeType(file[1]).build());
    uploaded.add(upload);
    return upload.uri().orElseThrow();
  }

  static List<File> takeUploaded() {
    List<File> files = new ArrayList<>(uploaded);
    uploaded.clear();
    return files;
  }
}
