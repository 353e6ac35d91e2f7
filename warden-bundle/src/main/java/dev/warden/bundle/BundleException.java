package dev.warden.bundle;

import java.util.List;
import java.util.stream.Collectors;

/** A bundle could not be loaded; {@link #errors()} lists every problem found in every file, sorted by file and line. */
public final class BundleException
        extends Exception
{
    private final List<BundleError> errors;

    public BundleException(List<BundleError> errors)
    {
        super(errors.size() + " error(s):" + errors.stream().sorted().map(error -> "\n  " + error).collect(Collectors.joining()));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a bundle exception needs at least one error");
        }
        this.errors = errors.stream().sorted().toList();
    }

    public List<BundleError> errors()
    {
        return errors;
    }
}
