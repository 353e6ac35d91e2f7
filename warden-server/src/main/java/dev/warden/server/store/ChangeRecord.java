package dev.warden.server.store;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** One entry of the change log: a change, the revision that committed it, its place within that revision, who and when. */
public record ChangeRecord(long revision, int sequence, EntityChange change, String actor, Instant committedAt)
{
    public ChangeRecord
    {
        requireNonNull(change, "change is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(committedAt, "committedAt is null");
    }
}
