package dev.warden.trino.testing;

import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorContext;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.transaction.IsolationLevel;

import java.util.Map;
import java.util.function.Function;

/** A test connector that keeps no state: one transaction handle, and the same metadata in every transaction. */
interface StatelessConnector
        extends Connector
{
    ConnectorMetadata metadata();

    @Override
    default ConnectorTransactionHandle beginTransaction(IsolationLevel isolationLevel, boolean readOnly, boolean autoCommit)
    {
        return Transaction.INSTANCE;
    }

    @Override
    default ConnectorMetadata getMetadata(ConnectorSession session, ConnectorTransactionHandle transactionHandle)
    {
        return metadata();
    }

    /** A factory of connectors named {@code name}, each made from its catalog's properties. */
    static ConnectorFactory factory(String name, Function<Map<String, String>, StatelessConnector> create)
    {
        return new ConnectorFactory()
        {
            @Override
            public String getName()
            {
                return name;
            }

            @Override
            public Connector create(String catalogName, Map<String, String> config, ConnectorContext context)
            {
                return create.apply(config);
            }
        };
    }

    enum Transaction
            implements ConnectorTransactionHandle
    {
        INSTANCE
    }
}
