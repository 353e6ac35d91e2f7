package dev.warden.policy.state;

/** A user, project or data source named in a request is not in the policy state. */
public final class UnknownEntityException
        extends IllegalArgumentException
{
    public UnknownEntityException(String message)
    {
        super(message);
    }
}
