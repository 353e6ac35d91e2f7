package dev.warden.server.api;

import dev.warden.bundle.BundleException;

import static java.util.Objects.requireNonNull;

/** A bundle sent to {@code /api/v1/apply} that does not load; answered 400 with every error and its position. */
public final class BundleRejectedException
        extends RuntimeException
{
    private final BundleException cause;

    public BundleRejectedException(BundleException cause)
    {
        super(requireNonNull(cause, "cause is null").getMessage(), cause);
        this.cause = cause;
    }

    public BundleException bundleException()
    {
        return cause;
    }
}
