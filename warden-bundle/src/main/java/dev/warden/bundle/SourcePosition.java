package dev.warden.bundle;

import static java.util.Objects.requireNonNull;

/** Where something was written: a file, a 1-based line and column, and the path of the value in the file. */
public record SourcePosition(String file, int line, int column, String field)
{
    public SourcePosition
    {
        requireNonNull(file, "file is null");
        requireNonNull(field, "field is null");
    }

    public BundleError error(String message)
    {
        return new BundleError(file, line, column, field, message);
    }

    @Override
    public String toString()
    {
        return file + ":" + line + ":" + column;
    }
}
