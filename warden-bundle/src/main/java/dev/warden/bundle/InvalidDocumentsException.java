package dev.warden.bundle;

import java.util.List;
import java.util.stream.Collectors;

/** Documents that would not form a valid policy state; {@link #problems()} lists every problem, as a whole build reports them. */
public final class InvalidDocumentsException
        extends Exception
{
    private final List<DocumentProblem> problems;

    public InvalidDocumentsException(List<DocumentProblem> problems)
    {
        super(problems.stream().map(DocumentProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("invalid documents need at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<DocumentProblem> problems()
    {
        return problems;
    }
}
