package dev.warden.bundle.expectations;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A row as written in a bundle: column name to the value's text, {@code null} for SQL NULL. Values are typed by
 * the data source's columns only when evaluated, so that a row is compared exactly as the governor wrote it.
 */
public record Row(SortedMap<String, String> values)
{
    public Row
    {
        requireNonNull(values, "values is null");
        values.keySet().forEach(key -> requireNonNull(key, "column name is null"));
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }

    public static Row of(Map<String, String> values)
    {
        return new Row(new TreeMap<>(values));
    }

    @Override
    public String toString()
    {
        return values.entrySet().stream()
                .map(entry -> entry.getKey() + ": " + (entry.getValue() == null ? "null" : entry.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
