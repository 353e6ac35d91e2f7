package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.Tag;

import java.util.Optional;

/**
 * The column a row-level rule looks at: named, or, for global policies over data sources whose column names
 * differ, the first column carrying a tag.
 */
public record ColumnChoice(Optional<String> name, Optional<Tag> tag)
{
    public ColumnChoice
    {
        Checks.required("column", name).ifPresent(value -> Checks.name("column", value));
        Checks.required("columnTag", tag);
        if (name.isPresent() == tag.isPresent()) {
            throw new InvalidModelException("column", "give either a column name or a column tag, not both or neither");
        }
    }

    public static ColumnChoice named(String name)
    {
        return new ColumnChoice(Optional.of(name), Optional.empty());
    }

    public static ColumnChoice tagged(Tag tag)
    {
        return new ColumnChoice(Optional.empty(), Optional.of(tag));
    }

    public Optional<Column> resolve(DataSource dataSource)
    {
        if (name.isPresent()) {
            return dataSource.column(name.get());
        }
        return dataSource.columns().stream().filter(column -> column.hasTagWithin(tag.get())).findFirst();
    }

    public String describe()
    {
        return name.map(value -> "column '" + value + "'").orElseGet(() -> "the column tagged " + tag.get());
    }
}
