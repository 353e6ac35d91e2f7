package dev.warden.server.secrets;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretBoxTest
{
    @RepeatedTest(20)
    void serversStartingTogetherOnOneDataDirectoryShareOneKey(@TempDir Path dataDirectory)
            throws Exception
    {
        int servers = 8;
        CountDownLatch ready = new CountDownLatch(servers);
        List<Future<SecretBox>> opened = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(servers)) {
            for (int i = 0; i < servers; i++) {
                opened.add(executor.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return SecretBox.open(Optional.empty(), dataDirectory);
                }));
            }
        }
        String sealed = opened.getFirst().get().seal("shared");
        for (Future<SecretBox> box : opened) {
            assertThat(box.get().open(sealed)).isEqualTo("shared");
        }
        try (Stream<Path> files = Files.list(dataDirectory)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactly(SecretBox.KEY_FILE);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDirectory.resolve(SecretBox.KEY_FILE)))).isEqualTo("rw-------");
    }

    @Test
    void aSealedSecretOpensOnlyUnderItsKeyAndUnaltered(@TempDir Path directory)
            throws Exception
    {
        SecretBox box = SecretBox.open(Optional.empty(), directory.resolve("one"));
        String sealed = box.seal("secret");
        assertThat(sealed).startsWith("aes256gcm:").doesNotContain("secret");
        assertThat(box.seal("secret")).as("a fresh nonce every time").isNotEqualTo(sealed);
        assertThat(box.open(sealed)).isEqualTo("secret");

        SecretBox other = SecretBox.open(Optional.empty(), directory.resolve("two"));
        assertThatThrownBy(() -> other.open(sealed)).hasMessageContaining("encrypted under another key, or altered");
        int middle = "aes256gcm:".length() + (sealed.length() - "aes256gcm:".length()) / 2;
        String altered = sealed.substring(0, middle) + (sealed.charAt(middle) == 'A' ? 'B' : 'A') + sealed.substring(middle + 1);
        assertThatThrownBy(() -> box.open(altered)).hasMessageContaining("encrypted under another key, or altered");
    }
}
