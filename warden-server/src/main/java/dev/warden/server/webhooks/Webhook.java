package dev.warden.server.webhooks;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * An outbound webhook: where change events go, which kinds of entity it wants ({@code users}, {@code policies},
 * ...; empty for all), and the revision it has been sent up to. The secret signs every payload and is never
 * returned by the API after creation.
 */
public record Webhook(String id, URI url, String secret, Set<String> kinds, String createdBy, Instant createdAt, long deliveredRevision, boolean active)
{
    public Webhook
    {
        requireNonNull(id, "id is null");
        requireNonNull(url, "url is null");
        requireNonNull(secret, "secret is null");
        kinds = Set.copyOf(kinds);
        requireNonNull(createdBy, "createdBy is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    public boolean wants(String kind)
    {
        return kinds.isEmpty() || kinds.contains(kind);
    }
}
