package dev.warden.server.secrets;

import dev.warden.server.auth.Permission;
import dev.warden.server.testing.TestServer;
import dev.warden.server.testing.TestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Webhook secrets are stored encrypted under a key the database does not hold (read back from the H2 file itself). */
class StoredSecretsTest
{
    private static final String SECRET = "a-webhook-secret-of-some-length";

    @Test
    void theStoreHoldsNoSecretInTheClearAndTheKeyFileIsPrivate(@TempDir Path dataDirectory)
            throws Exception
    {
        try (TestServer server = TestServer.start(TestStore.H2, dataDirectory)) {
            String admin = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
            assertThat(server.send("POST", "/api/v1/webhooks", "{\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"" + SECRET + "\"}", admin).statusCode())
                    .isEqualTo(201);
        }
        try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + dataDirectory.resolve("warden"));
                ResultSet row = connection.createStatement().executeQuery("SELECT secret FROM webhooks")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).startsWith("aes256gcm:").doesNotContain(SECRET);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDirectory.resolve(SecretBox.KEY_FILE)))).isEqualTo("rw-------");

        // Restarted with the same key file, the server opens the secret again (it signs deliveries with it).
        try (TestServer server = TestServer.start(TestStore.H2, dataDirectory)) {
            assertThat(server.server().uri()).isNotNull();
        }
    }

    @Test
    void aServerWithTheWrongKeyRefusesToStart(@TempDir Path dataDirectory)
    {
        String someKey = Base64.getEncoder().encodeToString(new byte[32]);
        try (TestServer server = TestServer.start(TestStore.H2, dataDirectory, Map.of("secrets.key", someKey))) {
            String admin = server.createKey("admin", Set.of(Permission.ADMIN), Optional.empty());
            assertThat(server.send("POST", "/api/v1/webhooks", "{\"url\": \"http://127.0.0.1:9/hook\"}", admin).statusCode()).isEqualTo(201);
        }
        String otherKey = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        assertThatThrownBy(() -> TestServer.start(TestStore.H2, dataDirectory, Map.of("secrets.key", otherKey)).close())
                .hasMessageContaining("cannot be decrypted with the key from secrets.key");
    }

    @Test
    void aMalformedKeyIsRefusedByName(@TempDir Path dataDirectory)
    {
        assertThatThrownBy(() -> TestServer.start(TestStore.H2, dataDirectory, Map.of("secrets.key", "short")).close())
                .hasMessageContaining("secrets.key: must be 32 random bytes in base64");
    }
}
