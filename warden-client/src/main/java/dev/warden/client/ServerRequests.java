package dev.warden.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** What every client of the server does alike: addresses, error messages and retry delays. */
final class ServerRequests
{
    private ServerRequests() {}

    /** The server's base address followed by {@code pathAndQuery}, which starts with a slash. */
    static URI resolve(URI serverUri, String pathAndQuery)
    {
        String base = serverUri.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + pathAndQuery : base + pathAndQuery);
    }

    /** The server's {@code code: message}, or the body itself when it is not one of the server's errors. */
    static String errorMessage(ObjectMapper json, String body)
    {
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.hasNonNull("code") && error.hasNonNull("message")) {
                return error.get("code").asText() + ": " + error.get("message").asText();
            }
        }
        catch (JsonProcessingException e) {
            // not JSON: report it as it came
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    /**
     * The delay before retrying after {@code failures} failures in a row: doubles from the minimum up to the maximum,
     * then takes a random delay between half of that and all of it, so that many clients do not retry in step.
     */
    static Duration backoff(Duration min, Duration max, int failures)
    {
        long maxNanos = max.toNanos();
        long delay = min.toNanos();
        for (int i = 1; i < failures && delay < maxNanos; i++) {
            delay = Math.min(maxNanos, delay * 2);
        }
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        return Duration.ofNanos(jittered);
    }
}
