package dev.warden.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WardenClientConfigTest
{
    private static final URI SERVER = URI.create("http://warden:8080");

    @Test
    void defaults()
    {
        WardenClientConfig config = WardenClientConfig.of(SERVER, "wdn_key");

        assertThat(config.pollWaitSeconds()).isEqualTo(30);
        assertThat(config.reconnectBackoffMin()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.stalenessBound()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.toString()).doesNotContain("wdn_key");
    }

    @Test
    void invalidSettingsAreRefusedNamingTheField()
    {
        WardenClientConfig config = WardenClientConfig.of(SERVER, "wdn_key");

        assertThatThrownBy(() -> WardenClientConfig.of(URI.create("ftp://warden"), "wdn_key")).hasMessageStartingWith("serverUri");
        assertThatThrownBy(() -> WardenClientConfig.of(SERVER, " ")).hasMessageStartingWith("apiKey");
        assertThatThrownBy(() -> config.withPollWaitSeconds(61)).hasMessageStartingWith("pollWaitSeconds");
        assertThatThrownBy(() -> config.withReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageStartingWith("reconnectBackoffMin");
        assertThatThrownBy(() -> config.withReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageStartingWith("reconnectBackoffMax");
        assertThatThrownBy(() -> config.withStalenessBound(Duration.ofSeconds(30)))
                .hasMessageStartingWith("stalenessBound")
                .hasMessageContaining("pollWaitSeconds");
    }
}
