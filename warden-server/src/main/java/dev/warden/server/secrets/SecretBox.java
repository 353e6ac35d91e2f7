package dev.warden.server.secrets;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Encrypts the secrets the server stores (webhook signing secrets) with AES-256-GCM under one key, so that a copy of
 * the database alone does not give them away. The key comes from {@code secrets.key}; without it, the server keeps
 * one in {@code DATA_DIR/secrets.key}, created on first start and readable only by its owner. Servers sharing one
 * PostgreSQL store must share the key: set {@code secrets.key} on each.
 */
public final class SecretBox
{
    public static final String KEY_FILE = "secrets.key";
    private static final String FORMAT = "aes256gcm:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keySource;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key, String keySource)
    {
        this.key = new SecretKeySpec(key, "AES");
        this.keySource = requireNonNull(keySource, "keySource is null");
    }

    /** @param configuredKey a base64 key of 32 bytes, already validated by the configuration */
    public static SecretBox open(Optional<String> configuredKey, Path dataDirectory)
    {
        if (configuredKey.isPresent()) {
            return new SecretBox(Base64.getDecoder().decode(configuredKey.get()), "secrets.key");
        }
        Path file = dataDirectory.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                createKeyFile(file);
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (key.length != KEY_BYTES) {
                throw new IllegalStateException("%s does not hold a key of %d bytes in base64".formatted(file.toAbsolutePath(), KEY_BYTES));
            }
            return new SecretBox(key, file.toAbsolutePath().toString());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secrets key " + file.toAbsolutePath(), e);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalStateException("%s is not base64: %s".formatted(file.toAbsolutePath(), e.getMessage()), e);
        }
    }

    /** Whether {@code text} is as {@link #seal} writes it (older stores kept secrets in the clear). */
    public static boolean isSealed(String text)
    {
        return text.startsWith(FORMAT);
    }

    public String seal(String secret)
    {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return FORMAT + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** @throws IllegalStateException when the text was sealed under another key or was altered */
    public String open(String sealedText)
    {
        if (!isSealed(sealedText)) {
            throw new IllegalStateException("not a sealed secret");
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(sealedText.substring(FORMAT.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        }
        catch (AEADBadTagException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored secret cannot be decrypted with the key from %s: it was encrypted under another key, or altered".formatted(keySource), e);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * Writes a new key into a temporary file readable only by its owner, then links it into place, which fails if
     * another server on the same data directory got there first: the key file is never seen empty or half-written,
     * and two servers never end up with different keys.
     */
    private static void createKeyFile(Path file)
            throws IOException
    {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path directory = Files.createDirectories(file.getParent());
        Path temporary = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(directory, KEY_FILE, ".new", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(directory, KEY_FILE, ".new");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap((Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            Files.createLink(file, temporary);
        }
        catch (FileAlreadyExistsException e) {
            // another server on the same data directory created it first; its key is the one
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }
}
