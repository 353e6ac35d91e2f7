package dev.warden.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest
{
    @TempDir
    Path directory;

    @Test
    void embeddedDefaultsNeedNoConfiguration()
    {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of(), Map.of());
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8470);
        assertThat(config.isEmbeddedStore()).isTrue();
        assertThat(config.storeUrl()).startsWith("jdbc:h2:file:").contains("warden-data");
        assertThat(config.bootstrapAdminKey()).isEmpty();
    }

    @Test
    void theEnvironmentOverridesTheFile()
            throws IOException
    {
        Path file = Files.writeString(directory.resolve("warden.properties"), """
                http.port=9000
                store.url=jdbc:postgresql://127.0.0.1:5432/warden
                store.pool-size=4
                """);
        ServerConfig config = ServerConfig.load(Optional.of(file), Map.of(), Map.of(
                "WARDEN_SERVER_HTTP_PORT", "9001",
                "WARDEN_SERVER_BOOTSTRAP_ADMIN_KEY", "k".repeat(40),
                "WARDEN_CACHE", "/elsewhere"));
        assertThat(config.httpPort()).isEqualTo(9001);
        assertThat(config.storePoolSize()).isEqualTo(4);
        assertThat(config.isEmbeddedStore()).isFalse();
        assertThat(config.bootstrapAdminKey()).contains("k".repeat(40));
    }

    @Test
    void everyUnknownOrInvalidSettingIsNamedAtOnce()
            throws IOException
    {
        Path file = Files.writeString(directory.resolve("warden.properties"), """
                http.prot=9000
                http.port=ninety
                store.url=jdbc:mysql://localhost/warden
                """);
        assertThatThrownBy(() -> ServerConfig.load(Optional.of(file), Map.of(), Map.of(
                "WARDEN_SERVER_STORE_POOLSIZE", "3",
                "WARDEN_SERVER_BOOTSTRAP_ADMIN_KEY", "short")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "unknown key 'http.prot'; known keys are http.host, http.port, http.max-request-mb, data-dir, store.url, store.user, store.password, store.pool-size, bootstrap.admin-key, change-log.retention, engine.plan-cache, secrets.key",
                        "unknown environment variable WARDEN_SERVER_STORE_POOLSIZE; known are WARDEN_SERVER_HTTP_HOST, WARDEN_SERVER_HTTP_PORT, WARDEN_SERVER_HTTP_MAX_REQUEST_MB, WARDEN_SERVER_DATA_DIR, WARDEN_SERVER_STORE_URL, WARDEN_SERVER_STORE_USER, WARDEN_SERVER_STORE_PASSWORD, WARDEN_SERVER_STORE_POOL_SIZE, WARDEN_SERVER_BOOTSTRAP_ADMIN_KEY, WARDEN_SERVER_CHANGE_LOG_RETENTION, WARDEN_SERVER_ENGINE_PLAN_CACHE, WARDEN_SERVER_SECRETS_KEY",
                        "http.port: 'ninety' is not a whole number",
                        "store.url: 'jdbc:mysql://localhost/warden' is neither an H2 (jdbc:h2:...) nor a PostgreSQL (jdbc:postgresql:...) URL",
                        "bootstrap.admin-key: must be at least 32 characters long"));
    }

    @Test
    void aMissingFileIsNamed()
    {
        assertThatThrownBy(() -> ServerConfig.load(Optional.of(directory.resolve("missing.properties")), Map.of(), Map.of()))
                .hasMessageContaining("cannot read configuration file").hasMessageContaining("missing.properties");
    }
}
