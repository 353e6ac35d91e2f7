package dev.warden.trino.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WardenAuditConfigTest
{
    private static final Map<String, String> REQUIRED = Map.of(
            "warden.server-uri", "http://127.0.0.1:8470",
            "warden.api-key", "wdn_service");

    @Test
    void defaultsFollowTheDocumentation()
    {
        WardenAuditConfig config = WardenAuditConfig.parse(REQUIRED);

        assertThat(config.source()).isNotBlank();
        assertThat(config.spoolDirectory()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "warden-audit"));
        assertThat(config.batchSize()).isEqualTo(100);
        assertThat(config.flushInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.spoolBudgetBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(config.senderConfig().spoolDirectory()).isEqualTo(config.spoolDirectory());
        assertThat(config.toString()).doesNotContain("wdn_service");
    }

    @Test
    void settingsAreRead()
    {
        Map<String, String> properties = new HashMap<>(REQUIRED);
        properties.put("warden.audit.source", "trino-prod");
        properties.put("warden.audit.spool-dir", "/var/lib/trino/warden-audit");
        properties.put("warden.audit.batch-size", "500");
        properties.put("warden.audit.flush-interval", "250ms");
        properties.put("warden.audit.spool-budget", "64MB");
        WardenAuditConfig config = WardenAuditConfig.parse(properties);

        assertThat(config.source()).isEqualTo("trino-prod");
        assertThat(config.spoolDirectory()).isEqualTo(Path.of("/var/lib/trino/warden-audit"));
        assertThat(config.senderConfig().batchSize()).isEqualTo(500);
        assertThat(config.senderConfig().flushInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.senderConfig().spoolBudgetBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void everyProblemIsNamedAtOnce()
    {
        assertThatThrownBy(() -> WardenAuditConfig.parse(Map.of(
                "warden.server-uri", "warden:8470",
                "warden.audit.source", " ",
                "warden.audit.batch-size", "5000",
                "warden.audit.flush-interval", "0s",
                "warden.audit.spool-budget", "lots",
                "warden.audit.spool-directory", "/tmp/audit")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid Warden event listener configuration")
                .hasMessageContaining("warden.audit.spool-directory: unknown property")
                .hasMessageContaining("warden.server-uri: must be an http or https address")
                .hasMessageContaining("warden.api-key: required")
                .hasMessageContaining("warden.audit.source: required")
                .hasMessageContaining("warden.audit.batch-size: must be a whole number from 1 to 1000, not '5000'")
                .hasMessageContaining("warden.audit.flush-interval: must be longer than 0")
                .hasMessageContaining("warden.audit.spool-budget: not a positive size");
    }
}
