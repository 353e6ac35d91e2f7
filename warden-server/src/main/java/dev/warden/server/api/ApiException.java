package dev.warden.server.api;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A request refused with an HTTP status and a JSON body {@code {code, message, field}}. */
public final class ApiException
        extends RuntimeException
{
    private final int status;
    private final String code;
    private final Optional<String> field;

    public ApiException(int status, String code, String message, Optional<String> field)
    {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.code = requireNonNull(code, "code is null");
        this.field = requireNonNull(field, "field is null");
    }

    public static ApiException badRequest(String field, String message)
    {
        return new ApiException(400, "INVALID", message, Optional.of(field));
    }

    public static ApiException unauthenticated()
    {
        return new ApiException(401, "UNAUTHENTICATED", "send an API key as 'Authorization: Bearer wdn_...'", Optional.empty());
    }

    public static ApiException forbidden(String message)
    {
        return new ApiException(403, "FORBIDDEN", message, Optional.empty());
    }

    public static ApiException notFound(String message)
    {
        return new ApiException(404, "NOT_FOUND", message, Optional.empty());
    }

    public int status()
    {
        return status;
    }

    public String code()
    {
        return code;
    }

    public Optional<String> field()
    {
        return field;
    }
}
