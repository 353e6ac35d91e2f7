package dev.warden.trino.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WardenServerProcessTest
{
    @Test
    void servesOverHttpAndAppliesBundles(@TempDir Path dataDirectory)
    {
        try (WardenServerProcess server = WardenServerProcess.start(dataDirectory)) {
            assertThat(server.send("GET", "/health", null, null).statusCode()).isEqualTo(200);
            long revision = server.apply("users:\n  - name: alice\n");
            assertThat(revision).isPositive();
            assertThat(server.send("GET", "/api/v1/users/alice", null, server.adminKey()).body()).contains("alice");
        }
    }
}
