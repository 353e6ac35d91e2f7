package dev.warden.server.auth;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A stored API key, without the key itself.
 *
 * @param wardenUser the Warden user the key acts as, for ownership of data sources; empty for service and bootstrap keys
 */
public record ApiKey(String id, String name, Set<Permission> permissions, Optional<String> wardenUser, String createdBy, Instant createdAt,
                     Optional<Instant> revokedAt)
{
    public ApiKey
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
        requireNonNull(wardenUser, "wardenUser is null");
        requireNonNull(createdBy, "createdBy is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(revokedAt, "revokedAt is null");
    }

    public boolean has(Permission permission)
    {
        return permissions.contains(Permission.ADMIN) || permissions.contains(permission);
    }
}
