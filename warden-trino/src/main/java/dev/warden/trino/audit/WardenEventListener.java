package dev.warden.trino.audit;

import dev.warden.client.QueryAuditSender;
import dev.warden.client.QueryEvent;
import dev.warden.trino.jmx.AuditMBean;
import dev.warden.trino.jmx.WardenMBeans;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryInputMetadata;

import javax.management.ObjectName;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Reports every completed query to the Warden server: who ran it, its text, the tables and columns it read, and,
 * from the {@link QueryLedger}, the Warden user and project it acted for, the policies the access control applied
 * and what it denied. Events go through a
 * {@link QueryAuditSender}, which spools them so that a server outage loses none.
 */
public final class WardenEventListener
        implements EventListener
{
    private static final System.Logger LOG = System.getLogger(WardenEventListener.class.getName());

    private final String source;
    private final QueryLedger ledger;
    private final QueryAuditSender sender;
    private final Optional<ObjectName> mbean;

    /** Shows the sender's {@link AuditStats} over JMX until {@link #shutdown}. */
    public WardenEventListener(String source, QueryLedger ledger, QueryAuditSender sender)
    {
        this.source = requireNonNull(source, "source is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.sender = requireNonNull(sender, "sender is null");
        this.mbean = WardenMBeans.register("Audit", new AuditStats(sender), AuditMBean.class);
    }

    @Override
    public void queryCompleted(QueryCompletedEvent completed)
    {
        try {
            sender.send(toEvent(completed));
        }
        catch (RuntimeException e) {
            // Trino would only log it too; the query itself is done either way.
            LOG.log(System.Logger.Level.ERROR, "cannot report query " + completed.getMetadata().getQueryId() + " to Warden", e);
        }
    }

    @Override
    public void shutdown()
    {
        WardenMBeans.unregister(mbean);
        sender.close();
    }

    /** The name of its MBean; for tests. */
    Optional<ObjectName> mbeanName()
    {
        return mbean;
    }

    private QueryEvent toEvent(QueryCompletedEvent completed)
    {
        String queryId = completed.getMetadata().getQueryId();
        Optional<QueryLedger.Entry> decided = ledger.take(queryId);
        return new QueryEvent(
                source,
                queryId,
                completed.getContext().getUser(),
                decided.flatMap(QueryLedger.Entry::wardenUser),
                decided.flatMap(QueryLedger.Entry::project),
                completed.getMetadata().getQuery(),
                completed.getCreateTime(),
                completed.getEndTime(),
                tablesRead(completed.getIoMetadata().getInputs()),
                decided.map(QueryLedger.Entry::policiesByDataSource).orElse(Map.of()),
                decided.map(QueryLedger.Entry::denials).orElse(List.of()),
                completed.getFailureInfo().map(failure -> new QueryEvent.Failure(failure.getErrorCode().getName(), failure.getFailureMessage().orElse(""))));
    }

    /** Each table as {@code catalog.schema.table} with the columns read from it; a table read twice (a self-join) once. */
    private static Map<String, List<String>> tablesRead(List<QueryInputMetadata> inputs)
    {
        Map<String, Set<String>> columnsByTable = new TreeMap<>();
        for (QueryInputMetadata input : inputs) {
            Set<String> columns = columnsByTable.computeIfAbsent(input.getCatalogName() + "." + input.getSchema() + "." + input.getTable(), _ -> new TreeSet<>());
            input.getColumns().forEach(column -> columns.add(column.name()));
        }
        Map<String, List<String>> tables = new TreeMap<>();
        columnsByTable.forEach((table, columns) -> tables.put(table, List.copyOf(columns)));
        return tables;
    }
}
