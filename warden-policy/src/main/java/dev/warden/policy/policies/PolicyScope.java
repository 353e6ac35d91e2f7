package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.Tag;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Collections.unmodifiableSortedSet;

/** Which data sources a policy covers: listed ones (a local policy) or, globally, those with given tags, or all. */
public sealed interface PolicyScope
        permits PolicyScope.DataSources, PolicyScope.TaggedDataSources, PolicyScope.DataSourcesWithTaggedColumns, PolicyScope.AllDataSources
{
    boolean covers(DataSource dataSource);

    String describe();

    default boolean isLocal()
    {
        return this instanceof DataSources;
    }

    /** Local: the data sources listed by id. */
    record DataSources(SortedSet<String> ids)
            implements PolicyScope
    {
        public DataSources
        {
            ids = Checks.names("dataSources", ids);
            if (ids.isEmpty()) {
                throw new InvalidModelException("dataSources", "name at least one data source");
            }
        }

        @Override
        public boolean covers(DataSource dataSource)
        {
            return ids.contains(dataSource.id());
        }

        @Override
        public String describe()
        {
            return "data sources " + ids;
        }
    }

    /** Global: data sources carrying one of the tags (or a tag below one of them). */
    record TaggedDataSources(SortedSet<Tag> tags)
            implements PolicyScope
    {
        public TaggedDataSources
        {
            tags = nonEmptyTags(tags);
        }

        @Override
        public boolean covers(DataSource dataSource)
        {
            for (Tag tag : tags) {
                if (dataSource.hasTagWithin(tag)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String describe()
        {
            return "data sources tagged " + joined(tags);
        }
    }

    /** Global: data sources with at least one column carrying one of the tags (or a tag below one of them). */
    record DataSourcesWithTaggedColumns(SortedSet<Tag> tags)
            implements PolicyScope
    {
        public DataSourcesWithTaggedColumns
        {
            tags = nonEmptyTags(tags);
        }

        @Override
        public boolean covers(DataSource dataSource)
        {
            // Loops rather than streams: the engine asks this for every candidate policy of every decision.
            for (Tag tag : tags) {
                for (Column column : dataSource.columns()) {
                    if (column.hasTagWithin(tag)) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        public String describe()
        {
            return "data sources with columns tagged " + joined(tags);
        }
    }

    /** Global: every data source. */
    record AllDataSources()
            implements PolicyScope
    {
        @Override
        public boolean covers(DataSource dataSource)
        {
            return true;
        }

        @Override
        public String describe()
        {
            return "all data sources";
        }
    }

    private static SortedSet<Tag> nonEmptyTags(Set<Tag> tags)
    {
        SortedSet<Tag> copy = unmodifiableSortedSet(new TreeSet<>(Checks.required("tags", tags)));
        if (copy.isEmpty()) {
            throw new InvalidModelException("tags", "name at least one tag");
        }
        return copy;
    }

    private static String joined(Set<Tag> tags)
    {
        return tags.stream().map(Tag::path).collect(Collectors.joining(", ", "[", "]"));
    }
}
