package dev.warden.bundle.expectations;

import dev.warden.bundle.SourcePosition;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** The outcome of one expectation: no failures means it passed; each failure is a readable, multi-line diff. */
public record ExpectationResult(Expectation expectation, SourcePosition source, List<String> failures)
{
    public ExpectationResult
    {
        requireNonNull(expectation, "expectation is null");
        requireNonNull(source, "source is null");
        failures = List.copyOf(failures);
    }

    public boolean passed()
    {
        return failures.isEmpty();
    }
}
