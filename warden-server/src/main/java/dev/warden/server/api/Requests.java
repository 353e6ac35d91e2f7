package dev.warden.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

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
}
