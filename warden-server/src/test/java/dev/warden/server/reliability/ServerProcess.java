package dev.warden.server.reliability;

import dev.warden.server.WardenServer;
import dev.warden.server.config.ServerConfig;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Warden server in a process of its own, for tests that kill it: {@code ServerProcess KEY=VALUE...}, each argument
 * a server setting (such as {@code data-dir}, {@code store.url}, {@code bootstrap.admin-key}). It listens on a free
 * port, and prints {@code listening PORT} once it serves.
 */
public final class ServerProcess
{
    private ServerProcess() {}

    public static void main(String[] args)
            throws InterruptedException
    {
        Map<String, String> settings = new HashMap<>();
        for (String argument : args) {
            int equals = argument.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("not a KEY=VALUE setting: " + argument);
            }
            settings.put(argument.substring(0, equals), argument.substring(equals + 1));
        }
        settings.put("http.port", "0");
        WardenServer server = WardenServer.start(ServerConfig.load(Optional.empty(), settings, Map.of()), new PrintStream(System.err, true, StandardCharsets.UTF_8));
        System.out.println("listening " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
