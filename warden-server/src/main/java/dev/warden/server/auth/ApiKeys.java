package dev.warden.server.auth;

import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Creates, checks and revokes API keys. A key is {@code wdn_} followed by 32 random bytes; only its SHA-256 is
 * stored (a slow password hash buys nothing for a key this random).
 *
 * <p>A valid key is remembered for {@link #CACHE_FOR}, so that most requests do not touch the database. Revoking a
 * key here forgets it at once; a key revoked by another server on the same store stops working here when its entry
 * expires. Unknown keys are not remembered: anyone can send those, and they would fill the memory.
 */
public final class ApiKeys
{
    public static final String PREFIX = "wdn_";
    public static final Duration CACHE_FOR = Duration.ofSeconds(10);

    private final Jdbi jdbi;
    private final SecureRandom random = new SecureRandom();
    private final long cacheNanos;
    private final ConcurrentHashMap<String, Cached> byHash = new ConcurrentHashMap<>();
    /** Bumped by every revocation, so that a key read from the store before a revocation is not cached after it. */
    private final AtomicLong revocations = new AtomicLong();

    private record Cached(ApiKey apiKey, long expiresAtNanos)
    {
        Cached
        {
            requireNonNull(apiKey, "apiKey is null");
        }
    }

    public ApiKeys(Jdbi jdbi)
    {
        this(jdbi, CACHE_FOR);
    }

    ApiKeys(Jdbi jdbi, Duration cacheFor)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.cacheNanos = cacheFor.toNanos();
    }

    /** A new key and its stored description; the key is returned only here. */
    public record Created(String key, ApiKey apiKey) {}

    public Created create(String name, Set<Permission> permissions, Optional<String> wardenUser, String createdBy)
    {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return store(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret), name, permissions, wardenUser, createdBy);
    }

    /** Stores a key chosen by the operator (the bootstrap key from configuration). */
    public Created createWithKey(String key, String name, Set<Permission> permissions, String createdBy)
    {
        return store(key, name, permissions, Optional.empty(), createdBy);
    }

    private Created store(String key, String name, Set<Permission> permissions, Optional<String> wardenUser, String createdBy)
    {
        byte[] idBytes = new byte[9];
        random.nextBytes(idBytes);
        ApiKey apiKey = new ApiKey("key_" + HexFormat.of().formatHex(idBytes), name, permissions, wardenUser, createdBy,
                Instant.now().truncatedTo(ChronoUnit.MICROS), Optional.empty());
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO api_keys (id, name, key_hash, permissions, warden_user, created_by, created_at)
                        VALUES (:id, :name, :hash, :permissions, :user, :createdBy, :createdAt)""")
                .bind("id", apiKey.id())
                .bind("name", name)
                .bind("hash", hash(key))
                .bind("permissions", apiKey.permissions().stream().map(Enum::name).sorted().collect(Collectors.joining(",")))
                .bind("user", wardenUser.orElse(null))
                .bind("createdBy", createdBy)
                .bind("createdAt", Timestamp.from(apiKey.createdAt()))
                .execute());
        return new Created(key, apiKey);
    }

    /** The key's description, when it exists and is not revoked. */
    public Optional<ApiKey> authenticate(String key)
    {
        if (key == null || !key.startsWith(PREFIX) || key.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(key);
        Cached cached = byHash.get(hash);
        if (cached != null && System.nanoTime() - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.apiKey());
        }
        long revocationsBefore = revocations.get();
        Optional<ApiKey> loaded = load(hash).filter(apiKey -> apiKey.revokedAt().isEmpty());
        synchronized (revocations) {
            // A revocation after the read above either sees this entry and removes it, or has bumped the count.
            if (loaded.isPresent() && revocations.get() == revocationsBefore) {
                byHash.put(hash, new Cached(loaded.get(), System.nanoTime() + cacheNanos));
            }
            else {
                byHash.remove(hash);
            }
        }
        return loaded;
    }

    public boolean isEmpty()
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM api_keys").mapTo(Long.class).one()) == 0;
    }

    public List<ApiKey> list()
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM api_keys ORDER BY created_at, id")
                .map((row, _) -> read(row))
                .list());
    }

    /** Revokes a key at once, on this server; returns false when there is no such key. */
    public boolean revoke(String id)
    {
        int updated = jdbi.withHandle(handle -> handle.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("now", Timestamp.from(Instant.now()))
                .bind("id", id)
                .execute());
        synchronized (revocations) {
            revocations.incrementAndGet();
            byHash.values().removeIf(cached -> cached.apiKey().id().equals(id));
        }
        return updated > 0;
    }

    private Optional<ApiKey> load(String hash)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM api_keys WHERE key_hash = :hash")
                .bind("hash", hash)
                .map((row, _) -> read(row))
                .findOne());
    }

    private static ApiKey read(java.sql.ResultSet row)
            throws java.sql.SQLException
    {
        String permissions = row.getString("permissions");
        Set<Permission> parsed = permissions.isEmpty() ? EnumSet.noneOf(Permission.class)
                : Arrays.stream(permissions.split(",")).map(Permission::valueOf).collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class)));
        Timestamp revoked = row.getTimestamp("revoked_at");
        return new ApiKey(row.getString("id"), row.getString("name"), parsed, Optional.ofNullable(row.getString("warden_user")),
                row.getString("created_by"), row.getTimestamp("created_at").toInstant(), Optional.ofNullable(revoked).map(Timestamp::toInstant));
    }

    static String hash(String key)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
