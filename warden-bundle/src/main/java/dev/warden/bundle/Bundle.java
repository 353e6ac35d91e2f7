package dev.warden.bundle;

import dev.warden.bundle.expectations.Expectation;
import dev.warden.policy.state.PolicyState;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A loaded bundle: the policy state and the expectations on it.
 *
 * @param expectationSources where each expectation was written, in the same order as {@code expectations}
 */
public record Bundle(PolicyState state, List<Expectation> expectations, List<SourcePosition> expectationSources)
{
    public Bundle
    {
        requireNonNull(state, "state is null");
        expectations = List.copyOf(expectations);
        expectationSources = List.copyOf(expectationSources);
        if (expectations.size() != expectationSources.size()) {
            throw new IllegalArgumentException("every expectation needs its source position");
        }
    }
}
