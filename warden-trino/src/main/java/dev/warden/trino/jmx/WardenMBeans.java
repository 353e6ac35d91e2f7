package dev.warden.trino.jmx;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import java.lang.management.ManagementFactory;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The plugin's MBeans, in the JVM's platform MBean server as {@code dev.warden.trino:type=<type>,name=warden}, where
 * JMX clients, Trino's {@code /v1/jmx/mbean} and {@code /metrics} endpoints and its JMX connector read them.
 * <p>
 * Monitoring is not worth refusing to start over: a bean that cannot be registered is logged and left out.
 */
public final class WardenMBeans
{
    public static final String DOMAIN = "dev.warden.trino";
    private static final System.Logger LOG = System.getLogger(WardenMBeans.class.getName());

    private WardenMBeans() {}

    /**
     * Registers {@code bean}, whose attributes are the getters of {@code attributes}, as {@code name=warden}, or
     * {@code warden-2}, {@code warden-3}, ... where more than one is in the JVM (tests, benchmarks).
     *
     * @return the name it was registered under, or empty when it could not be
     */
    public static <T> Optional<ObjectName> register(String type, T bean, Class<T> attributes)
    {
        requireNonNull(type, "type is null");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            StandardMBean mbean = new StandardMBean(bean, attributes);
            for (int instance = 1; ; instance++) {
                ObjectName name = new ObjectName("%s:type=%s,name=%s".formatted(DOMAIN, type, instance == 1 ? "warden" : "warden-" + instance));
                try {
                    server.registerMBean(mbean, name);
                    return Optional.of(name);
                }
                catch (InstanceAlreadyExistsException taken) {
                    // another instance in this JVM: try the next name
                }
            }
        }
        catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Warden's " + type + " MBean is not registered, so JMX and Trino's /metrics do not show it", e);
            return Optional.empty();
        }
    }

    /** Removes a bean {@link #register} registered; nothing when it registered none. */
    public static void unregister(Optional<ObjectName> name)
    {
        if (name.isEmpty()) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name.get());
        }
        catch (InstanceNotFoundException gone) {
            // already unregistered
        }
        catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot unregister " + name.get(), e);
        }
    }
}
