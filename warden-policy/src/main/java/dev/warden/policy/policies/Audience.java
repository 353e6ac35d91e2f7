package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.InvalidModelException;

import java.util.SortedSet;

import static java.util.Objects.requireNonNull;

/** Whom a subscription policy admits. */
public sealed interface Audience
        permits Audience.Anyone, Audience.AnyoneWhoAsks, Audience.UsersMatching, Audience.NamedUsers
{
    /** Every user. */
    record Anyone()
            implements Audience {}

    /** Every user whose access request for the data source was approved. */
    record AnyoneWhoAsks()
            implements Audience {}

    /** Users who meet a condition on their groups, attributes and purposes. */
    record UsersMatching(Condition condition)
            implements Audience
    {
        public UsersMatching
        {
            requireNonNull(condition, "condition is null");
        }
    }

    /** Users listed by name. */
    record NamedUsers(SortedSet<String> users)
            implements Audience
    {
        public NamedUsers
        {
            users = Checks.names("users", users);
            if (users.isEmpty()) {
                throw new InvalidModelException("users", "name at least one user");
            }
        }
    }
}
