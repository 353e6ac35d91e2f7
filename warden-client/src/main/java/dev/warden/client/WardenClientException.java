package dev.warden.client;

import java.util.OptionalInt;

/** The server could not be reached, refused a request, or answered with something a replica cannot use. */
public final class WardenClientException
        extends RuntimeException
{
    private final OptionalInt httpStatus;

    public WardenClientException(String message, OptionalInt httpStatus)
    {
        super(message);
        this.httpStatus = httpStatus;
    }

    public WardenClientException(String message, Throwable cause)
    {
        super(message, cause);
        this.httpStatus = cause instanceof WardenClientException client ? client.httpStatus() : OptionalInt.empty();
    }

    /** The HTTP status the server answered with, when it answered. */
    public OptionalInt httpStatus()
    {
        return httpStatus;
    }
}
