package dev.warden.server.api;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A request refused with an HTTP status and a JSON body {@code {code, message, field}}, and {@code problems} when
 * more than one thing was wrong.
 */
public final class ApiException
        extends RuntimeException
{
    private final int status;
    private final String code;
    private final Optional<String> field;
    private final List<Problem> problems;

    /** One bad field of a request. */
    public record Problem(String field, String message)
    {
        public Problem
        {
            requireNonNull(field, "field is null");
            requireNonNull(message, "message is null");
        }
    }

    public ApiException(int status, String code, String message, Optional<String> field)
    {
        this(status, code, message, field, List.of());
    }

    private ApiException(int status, String code, String message, Optional<String> field, List<Problem> problems)
    {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.code = requireNonNull(code, "code is null");
        this.field = requireNonNull(field, "field is null");
        this.problems = List.copyOf(problems);
    }

    /** A 400 that names every bad field, the first of them as {@code field}. */
    public static ApiException invalid(List<Problem> problems)
    {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid request has at least one problem");
        }
        String message = String.join("; ", problems.stream().map(problem -> problem.field() + ": " + problem.message()).toList());
        return new ApiException(400, "INVALID", message, Optional.of(problems.getFirst().field()), problems);
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

    /** Every bad field, when the request had more than one; otherwise empty. */
    public List<Problem> problems()
    {
        return problems;
    }
}
