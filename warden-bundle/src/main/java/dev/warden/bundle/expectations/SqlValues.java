package dev.warden.bundle.expectations;

import dev.warden.policy.model.SqlType;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Java values standing for SQL values while an expression is evaluated: {@link String}, {@link Long},
 * {@link BigDecimal}, {@link Double}, {@link Boolean}, {@link LocalDate}, {@link LocalDateTime}, {@link LocalTime},
 * and {@code null} for NULL.
 */
public final class SqlValues
{
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private SqlValues() {}

    /** The value of a column of {@code type} written as {@code text} in a bundle. */
    public static Object parse(SqlType type, String text)
    {
        try {
            return switch (type.family()) {
                case VARCHAR, CHAR -> {
                    if (type.length().isPresent() && text.length() > type.length().getAsInt()) {
                        throw new IllegalArgumentException("'" + text + "' is longer than " + type);
                    }
                    yield text;
                }
                case TINYINT, SMALLINT, INTEGER, BIGINT -> Long.parseLong(text.trim());
                case DECIMAL -> new BigDecimal(text.trim());
                case REAL, DOUBLE -> Double.parseDouble(text.trim());
                case BOOLEAN -> switch (text.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("'" + text + "' is not a boolean; write true or false");
                };
                case DATE -> LocalDate.parse(text.trim());
                case TIMESTAMP, TIMESTAMP_WITH_TIME_ZONE -> LocalDateTime.parse(text.trim().replace(' ', 'T'));
                case TIME -> LocalTime.parse(text.trim());
                case VARBINARY, OTHER -> throw new IllegalArgumentException("values of type " + type + " cannot be given in rows");
            };
        }
        catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a " + type + " value");
        }
    }

    /** The value as {@code CAST(value AS varchar)} writes it. */
    public static String text(Object value)
    {
        return switch (value) {
            case String string -> string;
            case BigDecimal decimal -> decimal.toPlainString();
            case Double number -> number.toString();
            case LocalDateTime timestamp -> timestamp.getNano() == 0 ? TIMESTAMP.format(timestamp)
                    : TIMESTAMP.format(timestamp) + "." + String.format("%09d", timestamp.getNano()).replaceAll("0+$", "");
            default -> String.valueOf(value);
        };
    }

    public static String typeName(Object value)
    {
        return switch (value) {
            case null -> "NULL";
            case String _ -> "varchar";
            case Long _ -> "bigint";
            case BigDecimal _ -> "decimal";
            case Double _ -> "double";
            case Boolean _ -> "boolean";
            case LocalDate _ -> "date";
            case LocalDateTime _ -> "timestamp";
            case LocalTime _ -> "time";
            default -> value.getClass().getSimpleName();
        };
    }
}
