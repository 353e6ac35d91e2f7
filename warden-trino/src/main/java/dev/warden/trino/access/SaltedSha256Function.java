package dev.warden.trino.access;

import io.airlift.slice.Slice;
import io.airlift.slice.Slices;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.function.Description;
import io.trino.spi.function.ScalarFunction;
import io.trino.spi.function.SqlType;
import io.trino.spi.type.StandardTypes;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import static io.trino.spi.StandardErrorCode.PERMISSION_DENIED;

/**
 * {@value SealedSalts#FUNCTION_NAME}{@code (text, sealed salt)}: SHA-256 of a masking salt followed by the text, the
 * same bytes as {@code sha256(to_utf8(salt || text))}, for the masks and filters Warden renders; the salt comes sealed
 * for the query that runs it ({@link SealedSalts}), so no one can hash a text of their choosing with it.
 */
public final class SaltedSha256Function
{
    /** The salt last opened on this thread, for the query it was opened in: a function runs once per row. */
    private static final ThreadLocal<Opened> LAST_OPENED = new ThreadLocal<>();
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(SaltedSha256Function::sha256);

    private record Opened(String queryId, Slice sealed, byte[] salt) {}

    private SaltedSha256Function() {}

    @ScalarFunction(value = SealedSalts.FUNCTION_NAME, hidden = true)
    @Description("SHA-256 of a masking salt Warden sealed for the query, followed by the text")
    @SqlType(StandardTypes.VARBINARY)
    public static Slice saltedSha256(ConnectorSession session, @SqlType(StandardTypes.VARCHAR) Slice text, @SqlType(StandardTypes.VARCHAR) Slice sealedSalt)
    {
        byte[] salt = salt(session.getQueryId(), sealedSalt);
        MessageDigest digest = SHA_256.get();
        digest.update(salt);
        digest.update(text.toByteBuffer());
        return Slices.wrappedBuffer(digest.digest());
    }

    private static byte[] salt(String queryId, Slice sealed)
    {
        Opened last = LAST_OPENED.get();
        if (last != null && last.queryId().equals(queryId) && last.sealed().equals(sealed)) {
            return last.salt();
        }
        byte[] salt;
        try {
            salt = SealedSalts.open(sealed.toStringUtf8(), queryId);
        }
        catch (IllegalArgumentException e) {
            throw new TrinoException(PERMISSION_DENIED, "Access Denied: %s is for the masks Warden hands Trino: %s".formatted(SealedSalts.FUNCTION_NAME, e.getMessage()));
        }
        LAST_OPENED.set(new Opened(queryId, sealed.copy(), salt));
        return salt;
    }

    private static MessageDigest sha256()
    {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
