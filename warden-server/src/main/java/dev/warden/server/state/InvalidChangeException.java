package dev.warden.server.state;

import dev.warden.bundle.DocumentProblem;

import java.util.List;
import java.util.stream.Collectors;

/** A change that would leave the policy state invalid; nothing was written. */
public final class InvalidChangeException
        extends RuntimeException
{
    private final List<DocumentProblem> problems;

    public InvalidChangeException(List<DocumentProblem> problems)
    {
        super(problems.stream().map(DocumentProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid change needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<DocumentProblem> problems()
    {
        return problems;
    }
}
