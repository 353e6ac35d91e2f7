package dev.warden.trino;

import dev.warden.trino.access.WardenAccessControl;
import dev.warden.trino.access.WardenAccessControlFactory;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;
import io.trino.spi.security.SystemSecurityContext;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WardenPluginTest
{
    @Test
    void theAccessControlStartsAtOnceWhileTheServerIsDownAndRecordsIntoThePluginsLedger()
            throws Exception
    {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        WardenPlugin plugin = new WardenPlugin();
        List<SystemAccessControlFactory> factories = StreamSupport.stream(plugin.getSystemAccessControlFactories().spliterator(), false).toList();
        assertThat(factories).extracting(SystemAccessControlFactory::getName).containsExactly(WardenAccessControlFactory.NAME);

        long start = System.nanoTime();
        SystemAccessControl accessControl = factories.getFirst().create(Map.of(
                "warden.server-uri", "http://localhost:" + port,
                "warden.api-key", "wdn_not_checked_yet"), null);
        try {
            assertThat((System.nanoTime() - start) / 1_000_000).as("create does not wait for the server").isLessThan(5_000);
            assertThat(((WardenAccessControl) accessControl).policyRevision()).isEqualTo(-1);
            SystemSecurityContext alice = new SystemSecurityContext(Identity.ofUser("alice"), QueryId.valueOf("q1"), Instant.now());
            assertThatThrownBy(() -> accessControl.checkCanSelectFromColumns(alice, new CatalogSchemaTableName("tpch", "tiny", "nation"), Set.of()))
                    .hasMessageContaining("Warden has not yet received its policies from http://localhost:" + port);
            assertThat(plugin.ledger().take("q1").orElseThrow().denials()).singleElement().asString().contains("has not yet received its policies");
        }
        finally {
            accessControl.shutdown();
        }
    }

    @Test
    void invalidSettingsStopTrinoAtStart()
    {
        assertThatThrownBy(() -> new WardenPlugin().getSystemAccessControlFactories().iterator().next().create(Map.of("warden.server-uri", "ftp://x"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warden.api-key: required");
    }
}
