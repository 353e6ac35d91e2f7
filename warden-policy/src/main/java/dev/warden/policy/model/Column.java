package dev.warden.policy.model;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** A column of a data source: its name as the remote system spells it, its type and its tags. */
public record Column(String name, SqlType type, SortedSet<Tag> tags)
{
    public Column
    {
        Checks.name("name", name);
        Checks.required("type", type);
        tags = CompactSortedSet.copyOf(Checks.required("tags", tags));
    }

    public Column(String name, SqlType type, Set<Tag> tags)
    {
        this(name, type, CompactSortedSet.copyOf(Checks.required("tags", tags)));
    }

    public static Column of(String name, String type, String... tags)
    {
        TreeSet<Tag> parsed = new TreeSet<>();
        for (String tag : tags) {
            parsed.add(Tag.of(tag));
        }
        return new Column(name, SqlType.parse(type), parsed);
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
