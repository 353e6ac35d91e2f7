package dev.warden.policy.sql;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.UserContext;

import static java.util.Objects.requireNonNull;

/**
 * What the person-dependent parts of an expression ({@link dev.warden.policy.expr.PersonNode}) become in SQL.
 */
public sealed interface PersonBinding
        permits PersonBinding.Literals, PersonBinding.EntitlementsTable
{
    /** One user's name, project, groups, purposes and attribute values, written into the SQL as escaped literals. */
    record Literals(UserContext user)
            implements PersonBinding
    {
        public Literals
        {
            requireNonNull(user, "user is null");
        }
    }

    /**
     * Lookups of the current database user in a table {@code (user_name, kind, key, value)} that Warden keeps up to
     * date, so that one view serves every user. {@code kind} is {@code group}, {@code purpose}, {@code attribute}
     * (with {@code key} the attribute's name) or {@code project}. PostgreSQL only.
     */
    record EntitlementsTable(String schema, String table)
            implements PersonBinding
    {
        public EntitlementsTable
        {
            Checks.name("schema", schema);
            Checks.name("table", table);
        }
    }
}
