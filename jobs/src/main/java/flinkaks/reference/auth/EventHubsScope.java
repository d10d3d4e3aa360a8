package flinkaks.reference.auth;

import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/** The OAuth scope of an Event Hubs namespace: {@code https://<namespace>.servicebus.windows.net/.default}. */
public final class EventHubsScope {
    private EventHubsScope() {}

    /** The scope for the first bootstrap server's host (Event Hubs: the namespace's host name). */
    public static String fromBootstrapServers(List<String> bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isEmpty()) {
            throw new ConfigException("bootstrap.servers is empty: cannot derive the Event Hubs token scope");
        }
        String server = bootstrapServers.get(0).trim();
        int colon = server.lastIndexOf(':');
        String host = colon > 0 ? server.substring(0, colon) : server;
        if (host.isEmpty()) {
            throw new ConfigException("bootstrap server " + server + " has no host: cannot derive the token scope");
        }
        return "https://" + host + "/.default";
    }
}
