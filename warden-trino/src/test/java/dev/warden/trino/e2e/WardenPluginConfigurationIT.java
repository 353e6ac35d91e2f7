package dev.warden.trino.e2e;

import dev.warden.trino.testing.TrinoServerProcess;
import dev.warden.trino.testing.TrinoServerProcess.StartFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A real Trino server refuses to start when etc/access-control.properties has a setting Warden does not know. */
class WardenPluginConfigurationIT
{
    @Test
    void unknownPropertyStopsTrinoWithItsName(@TempDir Path installDirectory)
    {
        StartFailure failure = TrinoServerProcess.builder(installDirectory)
                .withWardenPlugin()
                .accessControl("""
                        access-control.name=warden
                        warden.server-uri=http://127.0.0.1:8470
                        warden.api-key=wdn_never_used_because_start_up_fails
                        warden.staleness-bond=60s
                        """)
                .startExpectingFailure();

        assertThat(failure.exitCode()).isNotZero();
        assertThat(failure.output())
                .contains("Invalid Warden access control configuration")
                .contains("warden.staleness-bond: unknown property");
    }
}
