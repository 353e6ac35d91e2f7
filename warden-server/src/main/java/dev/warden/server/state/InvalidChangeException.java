package dev.warden.server.state;

import java.util.List;
import java.util.stream.Collectors;

/** A change that would leave the policy state invalid; nothing was written. */
public final class InvalidChangeException
        extends RuntimeException
{
    private final List<StateProblem> problems;

    public InvalidChangeException(List<StateProblem> problems)
    {
        super(problems.stream().map(StateProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid change needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<StateProblem> problems()
    {
        return problems;
    }
}
