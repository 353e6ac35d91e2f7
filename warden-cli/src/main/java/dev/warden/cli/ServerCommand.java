package dev.warden.cli;

import dev.warden.server.WardenServer;
import dev.warden.server.config.InvalidConfigException;
import dev.warden.server.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the Warden server until interrupted (Ctrl-C).",
                "Without configuration it keeps its state in an H2 database under ./warden-data and listens on 127.0.0.1:8470;",
                "settings come from --config, then the environment (WARDEN_SERVER_*), then these options."})
final class ServerCommand
        implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of server settings (see docs/server.md).")
    private Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the embedded store keeps its files (default ./warden-data).")
    private Path dataDirectory;

    @Option(names = "--port", paramLabel = "PORT", description = "The HTTP port (default 8470; 0 picks a free one).")
    private Integer port;

    @Override
    public Integer call()
            throws InterruptedException
    {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDirectory != null) {
            overrides.put("data-dir", dataDirectory.toString());
        }
        if (port != null) {
            overrides.put("http.port", port.toString());
        }
        ServerConfig serverConfig;
        try {
            serverConfig = ServerConfig.load(Optional.ofNullable(config), overrides, System.getenv());
        }
        catch (InvalidConfigException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return WardenCommand.EXIT_FAILED;
        }
        PrintStream console = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        WardenServer server = WardenServer.start(serverConfig, console);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "warden-server-shutdown"));
        console.printf("Warden server listening on %s (store: %s)%n", server.uri(),
                serverConfig.isEmbeddedStore() ? "H2 in " + serverConfig.dataDirectory().toAbsolutePath().normalize() : serverConfig.storeUrl());
        stopped.await();
        return 0;
    }
}
