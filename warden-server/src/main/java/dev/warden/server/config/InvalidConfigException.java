package dev.warden.server.config;

import java.util.List;

/** The server's configuration was refused; every problem names the key (and, for the environment, the variable). */
public final class InvalidConfigException
        extends RuntimeException
{
    private final List<String> problems;

    public InvalidConfigException(List<String> problems)
    {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems()
    {
        return problems;
    }
}
