package dev.warden.bundle;

import java.util.Comparator;

import static java.util.Objects.requireNonNull;

/**
 * One problem in a bundle, pointing at the YAML node that caused it.
 *
 * @param file the file as the bundle directory was given plus its relative path, such as {@code examples/retail/policies.yaml}
 * @param line 1-based; 0 when the problem concerns no single line
 * @param column 1-based; 0 when the problem concerns no single line
 * @param field the path of the offending value in the file, such as {@code policies[2].on.dataSources[0]}
 */
public record BundleError(String file, int line, int column, String field, String message)
        implements Comparable<BundleError>
{
    private static final Comparator<BundleError> ORDER = Comparator.comparing(BundleError::file)
            .thenComparingInt(BundleError::line)
            .thenComparingInt(BundleError::column)
            .thenComparing(BundleError::field)
            .thenComparing(BundleError::message);

    public BundleError
    {
        requireNonNull(file, "file is null");
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public int compareTo(BundleError other)
    {
        return ORDER.compare(this, other);
    }

    /** {@code file:line:column: field: message}, the form compilers use, so that editors can jump to it. */
    @Override
    public String toString()
    {
        return file + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
