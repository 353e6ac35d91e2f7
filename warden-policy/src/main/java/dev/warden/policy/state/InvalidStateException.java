package dev.warden.policy.state;

import dev.warden.policy.model.InvalidModelException;

import java.util.List;
import java.util.stream.Collectors;

/** A policy state was refused; {@link #problems()} lists every problem found, each naming its field. */
public final class InvalidStateException
        extends IllegalArgumentException
{
    private final List<InvalidModelException> problems;

    public InvalidStateException(List<InvalidModelException> problems)
    {
        super(problems.size() + " problem(s):" + problems.stream().map(problem -> "\n  " + problem.getMessage()).collect(Collectors.joining()));
        this.problems = List.copyOf(problems);
    }

    public List<InvalidModelException> problems()
    {
        return problems;
    }
}
