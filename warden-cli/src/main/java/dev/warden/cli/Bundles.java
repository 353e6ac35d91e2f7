package dev.warden.cli;

import dev.warden.bundle.Bundle;
import dev.warden.bundle.BundleError;
import dev.warden.bundle.BundleException;
import dev.warden.bundle.BundleLoader;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** Loading a bundle for a command, printing every error when it does not load. */
final class Bundles
{
    private Bundles() {}

    static Optional<Bundle> load(Path path, PrintWriter err)
    {
        try {
            return Optional.of(BundleLoader.load(path));
        }
        catch (BundleException e) {
            for (BundleError error : e.errors()) {
                err.println(error);
            }
            err.println(e.errors().size() + (e.errors().size() == 1 ? " error" : " errors"));
            err.flush();
            return Optional.empty();
        }
    }
}
