package dev.warden.bundle.expectations;

import java.util.List;

/** Rows a data source might hold, and the ones among them the user may see, in the same order. */
public record RowsExpectation(List<Row> given, List<Row> visible)
{
    public RowsExpectation
    {
        given = List.copyOf(given);
        visible = List.copyOf(visible);
    }
}
