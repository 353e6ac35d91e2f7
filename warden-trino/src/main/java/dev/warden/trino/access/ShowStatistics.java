package dev.warden.trino.access;

/**
 * Whether the calling thread is answering a {@code SHOW STATS}. Trino 476 answers {@code SHOW STATS FOR t} (and
 * {@code SHOW STATS FOR (SELECT ...)}) by planning {@code SELECT * FROM t} with the person's masks and row filters and
 * printing the plan's statistics. Those come from the connector's statistics of the whole table: the lowest and
 * highest value of each column the plan does not mask are those of every row, the rows the person's filter hides
 * among them. Trino asks the access control about the table exactly as it would for that {@code SELECT}; only the
 * caller's stack tells the two apart: the planning runs inside {@code ShowStatsRewrite}, under {@code EXPLAIN} and
 * {@code EXECUTE} too.
 * <p>
 * Walking a stack a hundred frames deep costs tens of microseconds, so the access control walks it only when asked
 * for the masks and filters of a table it masks or filters for the person, in a query that may show statistics
 * ({@link QueryPeople#mayShowStatistics}); never to decide what a person sees listed.
 */
final class ShowStatistics
{
    private static final String SHOW_STATS_REWRITE = "io.trino.sql.rewrite.ShowStatsRewrite";
    private static final StackWalker WALKER = StackWalker.getInstance();

    private ShowStatistics() {}

    static boolean areBeingComputed()
    {
        return WALKER.walk(frames -> frames.anyMatch(frame -> frame.getClassName().startsWith(SHOW_STATS_REWRITE)));
    }
}
