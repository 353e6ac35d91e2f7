package dev.warden.trino.access;

import dev.warden.policy.sql.SqlRenderer;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Masking salts as the masks and filters Warden hands Trino carry them: sealed for one query. A keyed hash is only as
 * secret as its key, and Trino shows a query's masks and filters to whoever runs {@code EXPLAIN} (and in the query's
 * plan in the web UI), so a salt written into a mask as a literal would let the person it masks for hash guesses and
 * find the masked values. Warden's renderings call {@value #FUNCTION_NAME} instead (the plugin's function,
 * {@link SaltedSha256Function}), with the salt encrypted and authenticated for the query's id (AES-GCM). The function
 * opens it only in that query: a sealed salt copied from one query's plan into another query's SQL is refused, every
 * sealed salt a person can see belongs to a query already sent, and sealing one for a new query takes the key.
 *
 * <p>Workers run the function, so every node must hold the key: it is derived from {@code warden.api-key}, which every
 * node's {@code etc/access-control.properties} holds (Trino loads the access control on workers too), and each sealed
 * salt names the key it was sealed with. Renderings are cached across queries, so they hold a placeholder for each
 * salt (marked with a random prefix no literal a person writes can match), split out once
 * ({@link SealableExpression}) and filled in each answer to Trino: each answer seals its salts anew (under a
 * microsecond each), which keeps nothing per query.
 */
public final class SealedSalts
{
    public static final String FUNCTION_NAME = "warden_salted_sha256";

    /** A DRBG, which does not read the operating system's source each time: each instance's IVs' start, the prefix. */
    private static final SecureRandom RANDOM = randomSource();
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(SealedSalts::newCipher);
    static final String PLACEHOLDER_PREFIX = "warden-salt-" + HexFormat.of().formatHex(randomBytes(8)) + ":";
    private static final Pattern SEALED = Pattern.compile("sealed:([0-9a-f]{16}):([A-Za-z0-9_-]+)");
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** The keys of the access controls this JVM has made, by key id: the function finds a sealed salt's key here. */
    private static final Map<String, SecretKey> KEYS = new ConcurrentHashMap<>();

    /** Renders hashes with salts through the plugin's function, each salt a placeholder sealed per query. */
    static final SqlRenderer.SaltedSha256 RENDERING = new SqlRenderer.SaltedSha256(FUNCTION_NAME, SealedSalts::placeholder);

    private final String keyId;
    private final SecretKey key;
    /**
     * GCM needs an IV that is never used twice under one key, not an unpredictable one (NIST SP 800-38D, 8.2.1): each
     * instance counts from a random start under a random fixed field, so that the coordinators and the restarts that
     * share a key meet one another's IVs with negligible probability. A DRBG call per seal was half the seal's cost,
     * and behind a lock every query being analysed at once would wait on.
     */
    private final int ivFixedField = RANDOM.nextInt();
    private final AtomicLong ivCounter = new AtomicLong(RANDOM.nextLong());

    private SealedSalts(String keyId, SecretKey key)
    {
        this.keyId = requireNonNull(keyId, "keyId is null");
        this.key = requireNonNull(key, "key is null");
    }

    /** Seals with a key derived from the access control's API key, which this JVM's function can then open. */
    static SealedSalts register(String apiKey)
    {
        requireNonNull(apiKey, "apiKey is null");
        String keyId = HexFormat.of().formatHex(hmac(apiKey, "warden masking salt key id"), 0, 8);
        SecretKey key = new SecretKeySpec(hmac(apiKey, "warden masking salt key"), "AES");
        KEYS.put(keyId, key);
        return new SealedSalts(keyId, key);
    }

    /** The SQL literal that stands for {@code salt} in a cached rendering. */
    static String placeholder(String salt)
    {
        return "'" + PLACEHOLDER_PREFIX + HexFormat.of().formatHex(salt.getBytes(StandardCharsets.UTF_8)) + "'";
    }

    /** One answer to Trino, for the query {@code queryId}: it seals each salt its masks or filters hold once. */
    Answer answerFor(String queryId)
    {
        return new Answer(requireNonNull(queryId, "queryId is null"));
    }

    /** The salts sealed for one answer's query: the masks of one table share its salt, which the answer seals once. */
    final class Answer
    {
        private final String queryId;
        /** The salts sealed so far; rarely more than one. */
        private final List<Sealed> sealedSalts = new ArrayList<>(1);

        private Answer(String queryId)
        {
            this.queryId = queryId;
        }

        /** The salt whose UTF-8 bytes are the hex {@code sql} holds from {@code start} to {@code end}, sealed for this answer's query. */
        String sealed(String sql, int start, int end)
        {
            int length = end - start;
            for (Sealed each : sealedSalts) {
                if (each.saltHex().length() == length && sql.regionMatches(start, each.saltHex(), 0, length)) {
                    return each.sealed();
                }
            }
            Sealed sealed = new Sealed(sql.substring(start, end), seal(HexFormat.of().parseHex(sql, start, end), queryId));
            sealedSalts.add(sealed);
            return sealed.sealed();
        }

        private record Sealed(String saltHex, String sealed) {}
    }

    /** {@code salt} encrypted and authenticated for one query: {@code sealed:<key id>:<base64url of IV and ciphertext>}. */
    String seal(byte[] salt, String queryId)
    {
        byte[] iv = ByteBuffer.allocate(IV_BYTES).putInt(ivFixedField).putLong(ivCounter.getAndIncrement()).array();
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(queryId.getBytes(StandardCharsets.UTF_8));
            byte[] encrypted = cipher.doFinal(salt);
            byte[] sealed = ByteBuffer.allocate(iv.length + encrypted.length).put(iv).put(encrypted).array();
            return "sealed:" + keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a masking salt: " + e.getMessage(), e);
        }
    }

    /**
     * The salt {@code sealed} holds, when a Warden access control with the same API key sealed it for this query.
     *
     * @throws IllegalArgumentException when none did
     */
    static byte[] open(String sealed, String queryId)
    {
        Matcher parts = SEALED.matcher(sealed);
        if (!parts.matches()) {
            throw new IllegalArgumentException("its second argument must be a masking salt Warden sealed for the query");
        }
        SecretKey key = KEYS.get(parts.group(1));
        if (key == null) {
            throw new IllegalArgumentException("the salt was sealed with a key this node does not have: give every node of the cluster the same "
                    + "etc/access-control.properties, with the same warden.api-key");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(parts.group(2));
        if (bytes.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("its second argument must be a masking salt Warden sealed for the query");
        }
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(queryId.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
        }
        catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the masking salt was sealed for another query: it opens only in the query Warden sealed it for");
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open a masking salt: " + e.getMessage(), e);
        }
    }

    private static Cipher newCipher()
    {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no AES-GCM: " + e.getMessage(), e);
        }
    }

    private static SecureRandom randomSource()
    {
        try {
            return SecureRandom.getInstance("DRBG");
        }
        catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    private static byte[] hmac(String secret, String purpose)
    {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the key that seals masking salts: " + e.getMessage(), e);
        }
    }

    private static byte[] randomBytes(int count)
    {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
