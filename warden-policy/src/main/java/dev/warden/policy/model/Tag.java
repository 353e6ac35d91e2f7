package dev.warden.policy.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A hierarchical tag such as {@code PII.Email}. A policy on {@code PII} applies to everything tagged
 * {@code PII.Email}: {@link #isWithin(Tag)} is that rule.
 */
public record Tag(String path)
        implements Comparable<Tag>
{
    private static final Pattern SEGMENT = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_ \\-]*");

    public Tag
    {
        Checks.name("tag", path);
        for (String segment : path.split("\\.", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.endsWith(" ")) {
                throw new InvalidModelException("tag", "'" + path + "' is not a tag path: segments are letters, digits, '_', '-' or inner spaces, separated by '.'");
            }
        }
    }

    public static Tag of(String path)
    {
        return new Tag(path);
    }

    /** Number of segments: {@code PII} is 1, {@code PII.Email} is 2. */
    public int depth()
    {
        int depth = 1;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '.') {
                depth++;
            }
        }
        return depth;
    }

    /** True when this tag is {@code ancestor} or lies below it. */
    public boolean isWithin(Tag ancestor)
    {
        return path.equals(ancestor.path)
                || (path.length() > ancestor.path.length() && path.startsWith(ancestor.path) && path.charAt(ancestor.path.length()) == '.');
    }

    /** This tag and every ancestor, deepest first: {@code A.B.C}, {@code A.B}, {@code A}. */
    public List<Tag> selfAndAncestors()
    {
        List<Tag> result = new ArrayList<>(depth());
        String current = path;
        result.add(this);
        int dot;
        while ((dot = current.lastIndexOf('.')) > 0) {
            current = current.substring(0, dot);
            result.add(new Tag(current));
        }
        return result;
    }

    @Override
    public int compareTo(Tag other)
    {
        return path.compareTo(other.path);
    }

    @Override
    public String toString()
    {
        return path;
    }
}
