package dev.warden.server.store;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A document written ({@code body} present) or deleted ({@code body} empty). */
public record EntityChange(EntityKey key, Optional<String> body)
{
    public EntityChange
    {
        requireNonNull(key, "key is null");
        requireNonNull(body, "body is null");
    }

    public static EntityChange put(EntityKey key, String body)
    {
        return new EntityChange(key, Optional.of(body));
    }

    public static EntityChange delete(EntityKey key)
    {
        return new EntityChange(key, Optional.empty());
    }
}
