package dev.warden.server.auth;

import dev.warden.server.config.ServerConfig;
import dev.warden.server.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest
{
    @TempDir
    Path dataDirectory;

    @Test
    void aKeyIsShownOnceStoredOnlyAsAHashAndStopsWorkingWhenRevoked()
    {
        try (Store store = Store.open(ServerConfig.embedded(dataDirectory))) {
            ApiKeys keys = new ApiKeys(store.jdbi());
            assertThat(keys.isEmpty()).isTrue();

            ApiKeys.Created created = keys.create("trino-coordinator", Set.of(Permission.SERVICE), Optional.empty(), "admin");
            assertThat(created.key()).startsWith("wdn_").hasSize(4 + 43);
            String storedHash = store.jdbi().withHandle(handle -> handle.createQuery("SELECT key_hash FROM api_keys").mapTo(String.class).one());
            assertThat(storedHash).isEqualTo(ApiKeys.hash(created.key())).doesNotContain(created.key().substring(4));

            assertThat(keys.authenticate(created.key())).map(ApiKey::name).contains("trino-coordinator");
            assertThat(keys.authenticate(created.key()).orElseThrow().has(Permission.SERVICE)).isTrue();
            assertThat(keys.authenticate(created.key()).orElseThrow().has(Permission.GOVERNANCE)).isFalse();
            assertThat(keys.authenticate(created.key() + "x")).isEmpty();
            assertThat(keys.authenticate("Bearer " + created.key())).isEmpty();

            assertThat(keys.revoke(created.apiKey().id())).isTrue();
            assertThat(keys.authenticate(created.key())).isEmpty();
            assertThat(keys.revoke(created.apiKey().id())).isFalse();
            assertThat(keys.list()).singleElement().satisfies(key -> assertThat(key.revokedAt()).isPresent());
        }
    }

    @Test
    void aKeyRevokedThroughAnotherServerOnTheSameStoreStopsWorkingWhenItsCacheEntryExpires()
            throws InterruptedException
    {
        try (Store store = Store.open(ServerConfig.embedded(dataDirectory))) {
            ApiKeys revoking = new ApiKeys(store.jdbi());
            ApiKeys other = new ApiKeys(store.jdbi(), Duration.ofSeconds(2));
            ApiKeys.Created created = revoking.create("reader", Set.of(Permission.AUDIT), Optional.empty(), "admin");
            assertThat(revoking.authenticate(created.key())).isPresent();
            assertThat(other.authenticate(created.key())).isPresent();

            revoking.revoke(created.apiKey().id());
            assertThat(revoking.authenticate(created.key())).isEmpty();
            assertThat(other.authenticate(created.key())).as("still cached by the other server").isPresent();
            Thread.sleep(2_100);
            assertThat(other.authenticate(created.key())).isEmpty();
        }
    }

    @Test
    void anUnknownKeyIsNotRememberedAsUnknown()
    {
        try (Store store = Store.open(ServerConfig.embedded(dataDirectory))) {
            ApiKeys keys = new ApiKeys(store.jdbi());
            String key = "wdn_" + "b".repeat(40);
            assertThat(keys.authenticate(key)).isEmpty();
            keys.createWithKey(key, "created later", Set.of(Permission.AUDIT), "admin");
            assertThat(keys.authenticate(key)).map(ApiKey::name).contains("created later");
        }
    }

    @Test
    void adminHasEveryPermission()
    {
        try (Store store = Store.open(ServerConfig.embedded(dataDirectory))) {
            ApiKeys keys = new ApiKeys(store.jdbi());
            ApiKeys.Created admin = keys.createWithKey("wdn_" + "a".repeat(40), "bootstrap", Set.of(Permission.ADMIN), "bootstrap");
            ApiKey key = keys.authenticate(admin.key()).orElseThrow();
            for (Permission permission : Permission.values()) {
                assertThat(key.has(permission)).isTrue();
            }
        }
    }
}
