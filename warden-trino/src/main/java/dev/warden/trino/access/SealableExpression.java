package dev.warden.trino.access;

import io.trino.spi.security.ViewExpression;

import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * A mask or row filter as decisions share it: its Trino expression as rendered, with where in its SQL the
 * placeholders of the masking salts it hashes with are ({@link SealedSalts}), found once. Every answer to Trino
 * carries the salts sealed for its own query; with the placeholders found here, an answer only copies the SQL around
 * them. The bounds are offsets into the rendered SQL rather than pieces of it, which would hold a second copy of
 * every hashing mask's text for as long as its revision lasts.
 */
final class SealableExpression
{
    private final ViewExpression rendered;
    /** For each placeholder, in order: where it starts (its opening quote) and where its salt's hex starts and ends. */
    private final int[] placeholderBounds;

    SealableExpression(ViewExpression rendered)
    {
        this.rendered = requireNonNull(rendered, "rendered is null");
        String sql = rendered.getExpression();
        int[] bounds = new int[0];
        for (int prefix = sql.indexOf(SealedSalts.PLACEHOLDER_PREFIX); prefix >= 0; prefix = sql.indexOf(SealedSalts.PLACEHOLDER_PREFIX, prefix + 1)) {
            int hexStart = prefix + SealedSalts.PLACEHOLDER_PREFIX.length();
            int hexEnd = sql.indexOf('\'', hexStart);
            if (prefix == 0 || sql.charAt(prefix - 1) != '\'' || hexEnd < 0) {
                throw new IllegalArgumentException("a masking salt's placeholder is not a quoted literal in: " + sql);
            }
            bounds = Arrays.copyOf(bounds, bounds.length + 3);
            bounds[bounds.length - 3] = prefix - 1;
            bounds[bounds.length - 2] = hexStart;
            bounds[bounds.length - 1] = hexEnd;
        }
        this.placeholderBounds = bounds;
    }

    /** The expression as rendered: any salt in it a placeholder, which no query can open. */
    ViewExpression rendered()
    {
        return rendered;
    }

    boolean holdsSalts()
    {
        return placeholderBounds.length > 0;
    }

    /** The expression for one answer to Trino: each salt sealed for that answer's query. */
    ViewExpression sealedFor(SealedSalts.Answer answer)
    {
        if (placeholderBounds.length == 0) {
            return rendered;
        }
        String unsealed = rendered.getExpression();
        StringBuilder sql = new StringBuilder(unsealed.length());
        int copied = 0;
        for (int i = 0; i < placeholderBounds.length; i += 3) {
            sql.append(unsealed, copied, placeholderBounds[i])
                    .append('\'').append(answer.sealed(unsealed, placeholderBounds[i + 1], placeholderBounds[i + 2])).append('\'');
            copied = placeholderBounds[i + 2] + 1;
        }
        sql.append(unsealed, copied, unsealed.length());
        ViewExpression.Builder builder = ViewExpression.builder().expression(sql.toString());
        rendered.getSecurityIdentity().ifPresent(builder::identity);
        rendered.getCatalog().ifPresent(builder::catalog);
        rendered.getSchema().ifPresent(builder::schema);
        builder.setPath(rendered.getPath());
        return builder.build();
    }
}
