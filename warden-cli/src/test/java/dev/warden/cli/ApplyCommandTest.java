package dev.warden.cli;

import dev.warden.server.WardenServer;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code warden apply} against a real server over HTTP. */
class ApplyCommandTest
{
    private static final String RETAIL = Path.of("..", "examples", "retail").toString();

    @Test
    void applyThenExplainTheLiveStateAsTheBundleWould(@TempDir Path dataDirectory)
    {
        try (WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            String admin = server.apiKeys().create("ci", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
            String url = server.uri().toString();

            CommandRun dryRun = CommandRun.of("apply", "--server", url, "--api-key", admin, "--dry-run", RETAIL);
            assertThat(dryRun.exitCode()).isEqualTo(0);
            assertThat(dryRun.out()).contains("create policies hash-names").contains("would apply").contains("(dry run: nothing changed); server at revision 0");
            assertThat(server.state().current().revision()).isZero();

            CommandRun applied = CommandRun.of("apply", "--server", url, "--api-key", admin, RETAIL);
            assertThat(applied.exitCode()).as(applied.err()).isEqualTo(0);
            assertThat(applied.out()).contains("server at revision 1");
            assertThat(server.state().current().state().policies()).containsKey("hash-names");

            CommandRun again = CommandRun.of("apply", "--server", url, "--api-key", admin, RETAIL);
            assertThat(again.out()).contains("applied 0 change(s); server at revision 1");

            CommandRun explained = CommandRun.of("explain", "--server", url, "--api-key", admin, "--user", "alice", "--data-source", "tpch.customer");
            assertThat(explained.exitCode()).as(explained.err()).isEqualTo(0);
            assertThat(explained.out()).contains("Decision for alice on tpch.customer").contains("Access: READ").contains("hash-names");
            CommandRun local = CommandRun.of("explain", "--policies", RETAIL, "--user", "alice", "--data-source", "tpch.customer");
            assertThat(explained.out()).isEqualTo(local.out());
            CommandRun unknown = CommandRun.of("explain", "--server", url, "--api-key", admin, "--user", "zoe", "--data-source", "tpch.customer");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.err()).contains("no user named 'zoe'");

            CommandRun refused = CommandRun.of("apply", "--server", url, "--api-key", "wdn_wrong", RETAIL);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("HTTP 401").contains("the API key is unknown or revoked");
        }
    }

    @Test
    void apiKeysAreCreatedListedAndRevoked(@TempDir Path dataDirectory)
    {
        try (WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), Map.of("data-dir", dataDirectory.toString(), "http.port", "0"), Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            String admin = server.apiKeys().create("ci", Set.of(Permission.ADMIN), Optional.empty(), "test").key();
            String url = server.uri().toString();

            CommandRun created = CommandRun.of("api-key", "create", "--server", url, "--api-key", admin, "--name", "trino", "--permission", "SERVICE");
            assertThat(created.exitCode()).as(created.err()).isEqualTo(0);
            String serviceKey = created.out().strip();
            assertThat(serviceKey).startsWith("wdn_");
            assertThat(created.err()).contains("shown only once");
            assertThat(server.apiKeys().authenticate(serviceKey)).hasValueSatisfying(key -> assertThat(key.permissions()).containsExactly(Permission.SERVICE));

            CommandRun listed = CommandRun.of("api-key", "list", "--server", url, "--api-key", admin);
            assertThat(listed.out()).contains("trino").contains("SERVICE").contains("active").doesNotContain(serviceKey);
            String id = server.apiKeys().authenticate(serviceKey).orElseThrow().id();

            CommandRun revoked = CommandRun.of("api-key", "revoke", "--server", url, "--api-key", admin, id);
            assertThat(revoked.exitCode()).as(revoked.err()).isEqualTo(0);
            assertThat(server.apiKeys().authenticate(serviceKey)).isEmpty();

            CommandRun notAdmin = CommandRun.of("api-key", "list", "--server", url, "--api-key", serviceKey);
            assertThat(notAdmin.exitCode()).isEqualTo(1);
            assertThat(notAdmin.err()).contains("HTTP 401");
            CommandRun badPermission = CommandRun.of("api-key", "create", "--server", url, "--api-key", admin, "--name", "x", "--permission", "ROOT");
            assertThat(badPermission.exitCode()).isEqualTo(1);
            assertThat(badPermission.err()).contains("unknown permission 'ROOT'");
        }
    }
}
