package dev.warden.policy.expr;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The functions a governor's SQL may call and that masks are built from. Each has the same meaning in every
 * dialect Warden renders, perhaps under another spelling; a function not listed here is refused when a policy
 * is saved, because Warden could not promise it means the same on every engine.
 */
public enum SqlFunction
{
    LOWER(1, 1), UPPER(1, 1), LENGTH(1, 1), SUBSTR(2, 3), CONCAT(2, 64), TRIM(1, 1), LTRIM(1, 1), RTRIM(1, 1),
    REPLACE(3, 3), STRPOS(2, 2), LPAD(3, 3), RPAD(3, 3), REVERSE(1, 1),
    REGEXP_LIKE(2, 2), REGEXP_REPLACE(3, 3),
    ABS(1, 1), ROUND(1, 2), FLOOR(1, 1), CEIL(1, 1), MOD(2, 2), GREATEST(2, 64), LEAST(2, 64),
    COALESCE(2, 64), NULLIF(2, 2),
    YEAR(1, 1), MONTH(1, 1), DAY(1, 1),
    CURRENT_DATE(0, 0), CURRENT_TIMESTAMP(0, 0);

    private static final Map<String, SqlFunction> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(SqlFunction::sqlName, java.util.function.Function.identity()));

    private final int minArguments;
    private final int maxArguments;

    SqlFunction(int minArguments, int maxArguments)
    {
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
    }

    public static Optional<SqlFunction> byName(String name)
    {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("ceiling")) {
            return Optional.of(CEIL);
        }
        if (lower.equals("substring")) {
            return Optional.of(SUBSTR);
        }
        return Optional.ofNullable(BY_NAME.get(lower));
    }

    public String sqlName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public int minArguments()
    {
        return minArguments;
    }

    public int maxArguments()
    {
        return maxArguments;
    }

    public String arity()
    {
        return minArguments == maxArguments ? String.valueOf(minArguments) : minArguments + " to " + maxArguments;
    }

    public static String supportedNames()
    {
        return Stream.of(values()).map(SqlFunction::sqlName).sorted().collect(Collectors.joining(", "));
    }
}
