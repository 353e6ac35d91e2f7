package dev.warden.server.reliability;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ServerConfig;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A Warden server in a process of its own, for tests that kill it: {@code ServerProcess DATA_DIR ADMIN_KEY}. Prints
 * {@code listening PORT} once it serves.
 */
public final class ServerProcess
{
    private ServerProcess() {}

    public static void main(String[] args)
            throws InterruptedException
    {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of("data-dir", args[0], "http.port", "0", "bootstrap.admin-key", args[1]), Map.of());
        WardenServer server = WardenServer.start(config, new PrintStream(System.err, true, StandardCharsets.UTF_8));
        System.out.println("listening " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
