package dev.warden.policy.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * A registered table, view or other object.
 *
 * @param id stable identifier, used by policies and by every API
 * @param maskingSalt secret mixed into keyed-hash masks and minimisation, so that hashed values of this data
 *        source cannot be matched against hashes of guessed values, nor joined with another data source's
 */
public record DataSource(
        String id,
        String name,
        RemoteLocation location,
        ObjectType objectType,
        List<Column> columns,
        SortedSet<Tag> tags,
        SortedSet<String> owners,
        Optional<String> eventTimeColumn,
        String maskingSalt)
{
    public DataSource
    {
        Checks.name("id", id);
        Checks.name("name", name);
        Checks.required("location", location);
        Checks.required("objectType", objectType);
        columns = Checks.list("columns", columns);
        if (columns.isEmpty()) {
            throw new InvalidModelException("columns", "a data source needs at least one column");
        }
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            Column column = Checks.required("columns[" + i + "]", columns.get(i));
            if (!seen.add(column.name())) {
                throw new InvalidModelException("columns[" + i + "].name", "column '" + column.name() + "' appears twice");
            }
        }
        tags = CompactSortedSet.copyOf(Checks.required("tags", tags));
        owners = Checks.names("owners", owners);
        Checks.required("eventTimeColumn", eventTimeColumn);
        if (eventTimeColumn.isPresent()) {
            String eventTime = eventTimeColumn.get();
            Column column = columns.stream().filter(c -> c.name().equals(eventTime)).findFirst()
                    .orElseThrow(() -> new InvalidModelException("eventTimeColumn", "names column '" + eventTime + "', which this data source does not have"));
            if (column.type().family() != SqlType.Family.DATE
                    && column.type().family() != SqlType.Family.TIMESTAMP
                    && column.type().family() != SqlType.Family.TIMESTAMP_WITH_TIME_ZONE) {
                throw new InvalidModelException("eventTimeColumn", "column '" + eventTime + "' is " + column.type() + "; an event time must be a date or timestamp");
            }
        }
        Checks.value("maskingSalt", maskingSalt);
        if (maskingSalt.length() < 16) {
            throw new InvalidModelException("maskingSalt", "must be at least 16 characters");
        }
    }

    public Optional<Column> column(String columnName)
    {
        for (Column column : columns) {
            if (column.name().equals(columnName)) {
                return Optional.of(column);
            }
        }
        return Optional.empty();
    }

    public Map<String, Column> columnsByName()
    {
        Map<String, Column> byName = new HashMap<>();
        for (Column column : columns) {
            byName.put(column.name(), column);
        }
        return byName;
    }

    public boolean hasTagWithin(Tag tag)
    {
        for (Tag own : tags) {
            if (own.isWithin(tag)) {
                return true;
            }
        }
        return false;
    }
}
