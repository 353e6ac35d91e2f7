package dev.warden.policy.policies;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.Tag;

import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static java.util.Collections.unmodifiableSortedSet;

/**
 * Which columns a masking policy masks. {@link #specificity} ranks policies that both target one column:
 * a column named explicitly beats a tag, a deeper tag beats a shallower one, and a tag beats a name pattern.
 */
public sealed interface ColumnSelector
        permits ColumnSelector.ByName, ColumnSelector.ByTag, ColumnSelector.ByNamePattern
{
    int NAMED_SPECIFICITY = 1_000;
    int PATTERN_SPECIFICITY = 0;

    /** Empty when the selector does not pick the column; otherwise how specifically it picks it. */
    OptionalInt specificity(Column column);

    String describe();

    record ByName(SortedSet<String> names)
            implements ColumnSelector
    {
        public ByName
        {
            names = Checks.names("columns", names);
            if (names.isEmpty()) {
                throw new InvalidModelException("columns", "name at least one column");
            }
        }

        @Override
        public OptionalInt specificity(Column column)
        {
            return names.contains(column.name()) ? OptionalInt.of(NAMED_SPECIFICITY) : OptionalInt.empty();
        }

        @Override
        public String describe()
        {
            return "columns named " + names;
        }
    }

    /** Columns carrying one of the tags, or a tag below one; specificity is the depth of the deepest policy tag that matched. */
    record ByTag(SortedSet<Tag> tags)
            implements ColumnSelector
    {
        public ByTag
        {
            tags = unmodifiableSortedSet(new TreeSet<>(Checks.required("tags", tags)));
            if (tags.isEmpty()) {
                throw new InvalidModelException("tags", "name at least one tag");
            }
        }


        @Override
        public OptionalInt specificity(Column column)
        {
            int deepest = -1;
            for (Tag tag : tags) {
                if (column.hasTagWithin(tag)) {
                    deepest = Math.max(deepest, tag.depth());
                }
            }
            return deepest < 0 ? OptionalInt.empty() : OptionalInt.of(deepest);
        }

        @Override
        public String describe()
        {
            return "columns tagged " + tags;
        }
    }

    /** Columns whose whole name matches a Java regular expression, case-insensitively. */
    record ByNamePattern(String regex, Pattern pattern)
            implements ColumnSelector
    {
        public ByNamePattern
        {
            Checks.value("columnPattern", regex);
            Checks.required("pattern", pattern);
        }

        public static ByNamePattern of(String regex)
        {
            Checks.value("columnPattern", regex);
            try {
                return new ByNamePattern(regex, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            }
            catch (PatternSyntaxException e) {
                throw new InvalidModelException("columnPattern", "'" + regex + "' is not a valid regular expression: " + e.getDescription());
            }
        }

        @Override
        public OptionalInt specificity(Column column)
        {
            return pattern.matcher(column.name()).matches() ? OptionalInt.of(PATTERN_SPECIFICITY) : OptionalInt.empty();
        }

        @Override
        public String describe()
        {
            return "columns whose name matches /" + regex + "/";
        }

        @Override
        public boolean equals(Object other)
        {
            return other instanceof ByNamePattern that && regex.equals(that.regex);
        }

        @Override
        public int hashCode()
        {
            return regex.hashCode();
        }
    }
}
