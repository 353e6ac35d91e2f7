package dev.warden.server.store;

import static java.util.Objects.requireNonNull;

/** One stored document: its kind ({@code user}, {@code policy}, ...) and its id within that kind. */
public record EntityKey(String kind, String id)
{
    public EntityKey
    {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        if (kind.isEmpty() || kind.length() > 32) {
            throw new IllegalArgumentException("kind must be 1 to 32 characters: '" + kind + "'");
        }
        if (id.isEmpty() || id.length() > 255) {
            throw new IllegalArgumentException("id must be 1 to 255 characters");
        }
    }
}
