package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How commands talk to a Warden server: the API key from {@code --api-key} or {@code WARDEN_API_KEY}, one request,
 * and the same error lines for every command when the key is missing, the server is unreachable or it refuses.
 */
final class ServerCalls
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A server's answer: its status and its JSON body. */
    record Answer(int status, JsonNode body)
    {
        Answer
        {
            requireNonNull(body, "body is null");
        }

        String message()
        {
            return body.path("message").asText(body.toString());
        }
    }

    private ServerCalls() {}

    /** The key given on the command line, else {@code WARDEN_API_KEY}; prints an error when there is neither. */
    static Optional<String> apiKey(String option, PrintWriter err)
    {
        Optional<String> key = Optional.ofNullable(option).or(() -> Optional.ofNullable(System.getenv("WARDEN_API_KEY")));
        if (key.isEmpty()) {
            err.println("error: no API key: pass --api-key or set WARDEN_API_KEY");
            err.flush();
        }
        return key;
    }

    /**
     * Sends one request; {@code body} may be null, and is sent with {@code contentType}. Prints an error and returns
     * empty when the server cannot be reached or does not answer in JSON.
     */
    static Optional<Answer> send(URI server, String key, String method, String pathAndQuery, String contentType, String body, PrintWriter err)
            throws InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(pathAndQuery))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newHttpClient()) {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            err.println("error: cannot reach " + server + ": " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
        try {
            return Optional.of(new Answer(response.statusCode(), JSON.readTree(response.body())));
        }
        catch (IOException e) {
            err.println("error: %s answered HTTP %d with something other than JSON: %s".formatted(server, response.statusCode(), abbreviate(response.body())));
            err.flush();
            return Optional.empty();
        }
    }

    /** Prints why the server refused a request. */
    static void printRefusal(Answer answer, PrintWriter err)
    {
        err.println("error: the server refused (HTTP %d): %s".formatted(answer.status(), answer.message()));
        err.flush();
    }

    private static String abbreviate(String text)
    {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
