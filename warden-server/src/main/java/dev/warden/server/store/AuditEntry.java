package dev.warden.server.store;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One administrative change: who made it, when, to what, and the document before and after. */
public record AuditEntry(long id, Instant at, String actor, String action, EntityKey key, long revision, Optional<String> before, Optional<String> after)
{
    public AuditEntry
    {
        requireNonNull(at, "at is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(key, "key is null");
        requireNonNull(before, "before is null");
        requireNonNull(after, "after is null");
    }
}
