package dev.warden.server.auth;

import dev.warden.server.config.ServerConfig;
import dev.warden.server.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
