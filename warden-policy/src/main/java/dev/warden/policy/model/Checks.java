package dev.warden.policy.model;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Validation shared by every model value. Names and values that reach SQL as literals or identifiers
 * are checked here once, so that no renderer has to guess what it may be handed.
 */
public final class Checks
{
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_VALUE_LENGTH = 65_536;

    private Checks() {}

    /** A name: not blank, at most 255 characters, no control characters. */
    public static String name(String field, String value)
    {
        if (value == null) {
            throw new InvalidModelException(field, "is required");
        }
        if (value.isBlank()) {
            throw new InvalidModelException(field, "must not be blank");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new InvalidModelException(field, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidModelException(field, "must not contain control characters (found U+%04X at position %d)".formatted((int) value.charAt(i), i));
            }
        }
        return value;
    }

    /**
     * A value that may become a SQL literal: anything printable or not, except NUL, which no database
     * we target can store in text and which some drivers treat as the end of a string.
     */
    public static String value(String field, String value)
    {
        if (value == null) {
            throw new InvalidModelException(field, "is required");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new InvalidModelException(field, "is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidModelException(field, "must not contain the NUL character");
        }
        return value;
    }

    public static <T> T required(String field, T value)
    {
        if (value == null) {
            throw new InvalidModelException(field, "is required");
        }
        return value;
    }

    public static SortedSet<String> names(String field, Collection<String> values)
    {
        TreeSet<String> result = new TreeSet<>();
        int index = 0;
        for (String value : required(field, values)) {
            result.add(name(field + "[" + index++ + "]", value));
        }
        return CompactSortedSet.copyOf(result);
    }

    public static SortedSet<String> values(String field, Collection<String> values)
    {
        TreeSet<String> result = new TreeSet<>();
        int index = 0;
        for (String value : required(field, values)) {
            result.add(value(field + "[" + index++ + "]", value));
        }
        return CompactSortedSet.copyOf(result);
    }

    /**
     * Attributes: key to a set of values; keys are names, values are literal-safe. The result iterates in key order
     * and looks keys up by hash, since decisions look attributes up far more often than anything lists them.
     */
    public static Map<String, Set<String>> attributes(String field, Map<String, ? extends Collection<String>> attributes)
    {
        TreeMap<String, Set<String>> sorted = new TreeMap<>();
        for (Map.Entry<String, ? extends Collection<String>> entry : required(field, attributes).entrySet()) {
            String key = name(field + " key", entry.getKey());
            sorted.put(key, values(field + "." + key, required(field + "." + key, entry.getValue())));
        }
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sorted));
    }

    public static <T> List<T> list(String field, List<T> values)
    {
        List<T> copy = List.copyOf(required(field, values));
        return copy;
    }

    public static int positive(String field, int value)
    {
        if (value <= 0) {
            throw new InvalidModelException(field, "must be positive, was " + value);
        }
        return value;
    }
}
