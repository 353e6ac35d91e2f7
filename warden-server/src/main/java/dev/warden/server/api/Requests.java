package dev.warden.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reading a request's body and query parameters; anything malformed becomes a 400 that names the field. */
public final class Requests
{
    private Requests() {}

    /** The body as JSON of any shape. */
    public static JsonNode body(ObjectMapper json, Context context)
    {
        JsonNode body;
        try {
            body = json.readTree(context.body());
        }
        catch (JsonProcessingException e) {
            throw ApiException.badRequest("", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || body.isMissingNode()) {
            throw ApiException.badRequest("", "the request needs a JSON document as its body");
        }
        return body;
    }

    /** The body as a JSON object; {@code shape} tells the caller what one looks like. */
    public static JsonNode objectBody(ObjectMapper json, Context context, String shape)
    {
        JsonNode body = body(json, context);
        if (!body.isObject()) {
            throw ApiException.badRequest("", "the body must be a JSON object " + shape);
        }
        return body;
    }

    /** A text field of a JSON object that must be present and not blank. */
    public static String requiredText(JsonNode object, String field)
    {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ApiException.badRequest(field, "'%s' is required".formatted(field));
        }
        return value.asText();
    }

    public static String requiredParameter(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(name, "query parameter '%s' is required".formatted(name));
        }
        return value;
    }

    /** A required revision: a whole number, 0 or more. */
    public static long revision(Context context, String name)
    {
        String value = requiredParameter(context, name);
        try {
            long revision = Long.parseLong(value);
            if (revision >= 0) {
                return revision;
            }
        }
        catch (NumberFormatException _) {
            // Answered below, with the value that was given.
        }
        throw ApiException.badRequest(name, "query parameter '%s' must be a revision (a whole number, 0 or more), not '%s'".formatted(name, value));
    }

    public static OptionalLong optionalRevision(Context context, String name)
    {
        return context.queryParam(name) == null ? OptionalLong.empty() : OptionalLong.of(revision(context, name));
    }

    /** An optional whole number within bounds. */
    public static int intParameter(Context context, String name, int defaultValue, int min, int max)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        }
        catch (NumberFormatException _) {
            // Answered below, with the value that was given.
        }
        throw ApiException.badRequest(name, "%s must be a whole number from %d to %d, not '%s'".formatted(name, min, max, value));
    }

    /** An optional instant in ISO-8601, such as {@code 2025-06-01T12:00:00Z}. */
    public static Optional<Instant> instantParameter(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        }
        catch (DateTimeParseException _) {
            throw ApiException.badRequest(name, "%s must be an instant such as 2025-06-01T12:00:00Z, not '%s'".formatted(name, value));
        }
    }

    /** An optional {@code true} or {@code false}. */
    public static Optional<Boolean> booleanParameter(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return Optional.empty();
        }
        return switch (value) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> throw ApiException.badRequest(name, "%s must be true or false, not '%s'".formatted(name, value));
        };
    }

    /**
     * Reads the fields of a JSON document, noting a problem for each bad one instead of stopping at the first, so that
     * one answer names them all. Fields are named by their path, such as {@code events[2].tables[0].table}; a reader
     * returns null (or an empty value) for a bad field, and {@link #throwIfAny} ends the request.
     */
    public static final class Fields
    {
        private final List<ApiException.Problem> problems = new ArrayList<>();

        public void problem(String field, String message)
        {
            problems.add(new ApiException.Problem(field, message));
        }

        /** Text that must be present and not blank, of at most {@code maxLength} characters. */
        public String requiredText(JsonNode object, String path, String name, int maxLength)
        {
            return optionalText(object, path, name, maxLength, true).orElse(null);
        }

        /** Text that may be absent or null, of at most {@code maxLength} characters when present. */
        public Optional<String> optionalText(JsonNode object, String path, String name, int maxLength)
        {
            return optionalText(object, path, name, maxLength, false);
        }

        private Optional<String> optionalText(JsonNode object, String path, String name, int maxLength, boolean required)
        {
            String field = field(path, name);
            JsonNode value = object.get(name);
            if (value == null || value.isNull()) {
                if (required) {
                    problem(field, "required");
                }
                return Optional.empty();
            }
            if (!value.isTextual()) {
                problem(field, "must be text");
                return Optional.empty();
            }
            if (required && value.asText().isBlank()) {
                problem(field, "must not be blank");
                return Optional.empty();
            }
            if (value.asText().length() > maxLength) {
                problem(field, "is longer than %d characters".formatted(maxLength));
                return Optional.empty();
            }
            return Optional.of(value.asText());
        }

        /** A required instant in ISO-8601. */
        public Instant requiredInstant(JsonNode object, String path, String name)
        {
            String text = requiredText(object, path, name, 64);
            if (text == null) {
                return null;
            }
            try {
                return Instant.parse(text);
            }
            catch (DateTimeParseException _) {
                problem(field(path, name), "must be an instant such as 2025-06-01T12:00:00Z, not '%s'".formatted(text));
                return null;
            }
        }

        /** An array that may be absent or null (then empty). */
        public List<JsonNode> array(JsonNode object, String path, String name)
        {
            JsonNode value = object.get(name);
            if (value == null || value.isNull()) {
                return List.of();
            }
            if (!value.isArray()) {
                problem(field(path, name), "must be an array");
                return List.of();
            }
            List<JsonNode> items = new ArrayList<>();
            value.forEach(items::add);
            return items;
        }

        /** An array of non-blank texts that may be absent or null (then empty). */
        public List<String> texts(JsonNode object, String path, String name, int maxLength)
        {
            List<JsonNode> items = array(object, path, name);
            List<String> texts = new ArrayList<>();
            for (int index = 0; index < items.size(); index++) {
                JsonNode item = items.get(index);
                String field = field(path, name) + "[" + index + "]";
                if (!item.isTextual() || item.asText().isBlank()) {
                    problem(field, "must be non-blank text");
                }
                else if (item.asText().length() > maxLength) {
                    problem(field, "is longer than %d characters".formatted(maxLength));
                }
                else {
                    texts.add(item.asText());
                }
            }
            return texts;
        }

        /** How many problems were noted so far. */
        public int count()
        {
            return problems.size();
        }

        private static String field(String path, String name)
        {
            return path.isEmpty() ? name : path + "." + name;
        }

        /** Ends the request with a 400 that names every problem noted, if there is any. */
        public void throwIfAny()
        {
            if (!problems.isEmpty()) {
                throw ApiException.invalid(problems);
            }
        }
    }
}
