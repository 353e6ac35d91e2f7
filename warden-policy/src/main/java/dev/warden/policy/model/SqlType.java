package dev.warden.policy.model;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The SQL type of a column, normalised across the systems data comes from. {@link #parse} accepts
 * Trino's spellings and PostgreSQL's and MySQL's common synonyms; a type it does not know is kept as
 * {@link Family#OTHER} with its original spelling, so that registration never fails on an exotic type,
 * and only masks that need no knowledge of the type (NULL) may apply to it.
 *
 * @param family what masks and filters may do with the type
 * @param length for strings: the declared length; for decimals: the precision; for timestamps and times: the fractional-second precision
 * @param scale for decimals: the scale
 * @param spelling for {@link Family#OTHER}: the type as written
 */
public record SqlType(Family family, OptionalInt length, OptionalInt scale, String spelling)
{
    public enum Family
    {
        VARCHAR, CHAR,
        TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE,
        BOOLEAN,
        DATE, TIME, TIMESTAMP, TIMESTAMP_WITH_TIME_ZONE,
        VARBINARY,
        OTHER;

        public boolean isString()
        {
            return this == VARCHAR || this == CHAR;
        }

        public boolean isNumeric()
        {
            return switch (this) {
                case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE -> true;
                default -> false;
            };
        }

        public boolean isExactNumeric()
        {
            return switch (this) {
                case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL -> true;
                default -> false;
            };
        }

        /**
         * True when Trino and PostgreSQL write a value of this type as the same text, so that hashing
         * {@code CAST(value AS varchar)} picks the same rows on both. Floating-point numbers, times and timestamps
         * are written differently (Trino: {@code 7.1156E2}, {@code 2020-01-01 10:00:00.000}).
         */
        public boolean hasPortableText()
        {
            return switch (this) {
                case VARCHAR, TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, BOOLEAN, DATE -> true;
                default -> false;
            };
        }

        public boolean isTemporal()
        {
            return this == DATE || this == TIMESTAMP || this == TIMESTAMP_WITH_TIME_ZONE || this == TIME;
        }
    }

    public static final SqlType VARCHAR = new SqlType(Family.VARCHAR, OptionalInt.empty(), OptionalInt.empty(), "");
    public static final SqlType BIGINT = new SqlType(Family.BIGINT, OptionalInt.empty(), OptionalInt.empty(), "");
    public static final SqlType INTEGER = new SqlType(Family.INTEGER, OptionalInt.empty(), OptionalInt.empty(), "");
    public static final SqlType DOUBLE = new SqlType(Family.DOUBLE, OptionalInt.empty(), OptionalInt.empty(), "");
    public static final SqlType BOOLEAN = new SqlType(Family.BOOLEAN, OptionalInt.empty(), OptionalInt.empty(), "");
    public static final SqlType DATE = new SqlType(Family.DATE, OptionalInt.empty(), OptionalInt.empty(), "");

    /**
     * One shared instance per distinct type: millions of columns repeat a few dozen types, and an instance with
     * its OptionalInts costs about 60 bytes. Bounded, because type spellings come from remote systems.
     */
    private static final ConcurrentHashMap<SqlType, SqlType> CANONICAL = new ConcurrentHashMap<>();
    private static final int MAX_CANONICAL = 4_096;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern PARAMETERS = Pattern.compile("([a-z][a-z0-9 ]*?)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?\\s*(with(?:out)? time zone)?");

    public SqlType
    {
        requireNonNull(family, "family is null");
        requireNonNull(length, "length is null");
        requireNonNull(scale, "scale is null");
        requireNonNull(spelling, "spelling is null");
    }

    public static SqlType varchar(int length)
    {
        return canonical(new SqlType(Family.VARCHAR, OptionalInt.of(length), OptionalInt.empty(), ""));
    }

    public static SqlType decimal(int precision, int scale)
    {
        return canonical(new SqlType(Family.DECIMAL, OptionalInt.of(precision), OptionalInt.of(scale), ""));
    }

    /** Parses a type as written by Trino, PostgreSQL or MySQL; unknown types become {@link Family#OTHER}. */
    public static SqlType parse(String text)
    {
        Checks.name("type", text);
        String normalized = WHITESPACE.matcher(text.trim().toLowerCase(Locale.ROOT)).replaceAll(" ");
        Matcher matcher = PARAMETERS.matcher(normalized);
        if (!matcher.matches()) {
            return other(text);
        }
        String base = matcher.group(1).trim();
        OptionalInt first = matcher.group(2) == null ? OptionalInt.empty() : OptionalInt.of(parseParameter(text, matcher.group(2)));
        OptionalInt second = matcher.group(3) == null ? OptionalInt.empty() : OptionalInt.of(parseParameter(text, matcher.group(3)));
        boolean withTimeZone = "with time zone".equals(matcher.group(4));
        if (matcher.group(4) != null && !base.equals("timestamp") && !base.equals("time")) {
            return other(text);
        }
        Family family = switch (base) {
            case "varchar", "character varying", "text", "string", "nvarchar", "longtext", "mediumtext", "tinytext" -> Family.VARCHAR;
            case "char", "character", "bpchar", "nchar" -> Family.CHAR;
            case "tinyint" -> Family.TINYINT;
            case "smallint", "int2" -> Family.SMALLINT;
            case "integer", "int", "int4", "mediumint" -> Family.INTEGER;
            case "bigint", "int8" -> Family.BIGINT;
            case "decimal", "numeric", "number" -> Family.DECIMAL;
            case "real", "float4", "float" -> Family.REAL;
            case "double", "double precision", "float8" -> Family.DOUBLE;
            case "boolean", "bool" -> Family.BOOLEAN;
            case "date" -> Family.DATE;
            case "time" -> withTimeZone ? Family.OTHER : Family.TIME;
            case "timestamp", "datetime" -> withTimeZone ? Family.TIMESTAMP_WITH_TIME_ZONE : Family.TIMESTAMP;
            case "timestamptz" -> Family.TIMESTAMP_WITH_TIME_ZONE;
            case "varbinary", "bytea", "blob", "binary", "longblob" -> Family.VARBINARY;
            default -> Family.OTHER;
        };
        if (family == Family.OTHER) {
            return other(text);
        }
        boolean takesLength = family.isString() || family == Family.DECIMAL || family.isTemporal() && family != Family.DATE;
        if ((first.isPresent() && !takesLength) || (second.isPresent() && family != Family.DECIMAL)) {
            throw new InvalidModelException("type", "'" + text + "' has parameters its type does not take");
        }
        if (family == Family.VARCHAR && base.equals("text") && first.isPresent()) {
            throw new InvalidModelException("type", "'" + text + "' has parameters its type does not take");
        }
        if (family == Family.DECIMAL && first.isPresent() && second.isPresent() && second.getAsInt() > first.getAsInt()) {
            throw new InvalidModelException("type", "'" + text + "': scale is larger than precision");
        }
        if (family == Family.DECIMAL && first.isEmpty()) {
            // An unparameterised DECIMAL/NUMERIC means different things on different systems; Trino's default is (38, 0).
            first = OptionalInt.of(38);
        }
        if (family == Family.DECIMAL && second.isEmpty()) {
            second = OptionalInt.of(0);
        }
        return canonical(new SqlType(family, first, second, ""));
    }

    private static SqlType canonical(SqlType type)
    {
        SqlType known = CANONICAL.get(type);
        if (known != null) {
            return known;
        }
        if (CANONICAL.size() >= MAX_CANONICAL) {
            return type;
        }
        known = CANONICAL.putIfAbsent(type, type);
        return known != null ? known : type;
    }

    private static int parseParameter(String text, String digits)
    {
        try {
            int value = Integer.parseInt(digits);
            if (value < 0 || value > 1_000_000) {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (NumberFormatException e) {
            throw new InvalidModelException("type", "'" + text + "' has an out-of-range parameter " + digits);
        }
    }

    private static SqlType other(String text)
    {
        return canonical(new SqlType(Family.OTHER, OptionalInt.empty(), OptionalInt.empty(), text.trim()));
    }

    /** The type in Trino's spelling, which is also how Warden writes it in its own files. */
    @Override
    public String toString()
    {
        return switch (family) {
            case VARCHAR -> length.isPresent() ? "varchar(" + length.getAsInt() + ")" : "varchar";
            case CHAR -> "char(" + length.orElse(1) + ")";
            case TINYINT -> "tinyint";
            case SMALLINT -> "smallint";
            case INTEGER -> "integer";
            case BIGINT -> "bigint";
            case DECIMAL -> "decimal(" + length.getAsInt() + "," + scale.getAsInt() + ")";
            case REAL -> "real";
            case DOUBLE -> "double";
            case BOOLEAN -> "boolean";
            case DATE -> "date";
            case TIME -> length.isPresent() ? "time(" + length.getAsInt() + ")" : "time";
            case TIMESTAMP -> length.isPresent() ? "timestamp(" + length.getAsInt() + ")" : "timestamp";
            case TIMESTAMP_WITH_TIME_ZONE -> (length.isPresent() ? "timestamp(" + length.getAsInt() + ")" : "timestamp") + " with time zone";
            case VARBINARY -> "varbinary";
            case OTHER -> spelling;
        };
    }
}
