package flinkaks.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.callback.CallbackHandler;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProviderCreator;

/**
 * SASL PLAIN as Event Hubs' Kafka endpoint does it, for the test broker: every client logs
 * in as {@code $ConnectionString} with a connection string as the password, and what it may
 * do follows from which shared access key that string holds. Kafka's own PLAIN server knows
 * one password per user name, so this one maps each known connection string to its own
 * principal ({@code User:<name>}), which the broker's ACLs then grant Listen or Send rights.
 *
 * <p>Installed with the broker setting {@code security.providers=flinkaks.it.EventHubsSasl$ProviderCreator}
 * (inserted before Kafka's PLAIN provider); the known strings are read from the file named by
 * the system property {@value #CREDENTIALS_PROPERTY}: one {@code <principal>\t<connection string>} a line.
 */
public final class EventHubsSasl {
    public static final String CREDENTIALS_PROPERTY = "flinkaks.eventhubs.credentials";
    static final String USERNAME = "$ConnectionString";

    private EventHubsSasl() {}

    /** The security provider Kafka's {@code security.providers} setting instantiates. */
    public static final class ProviderCreator implements SecurityProviderCreator {
        @Override
        public Provider getProvider() {
            Provider provider = new Provider("FlinkAksEventHubsSasl", "1.0", "Event Hubs-shaped SASL PLAIN") {};
            provider.put("SaslServerFactory.PLAIN", Factory.class.getName());
            return provider;
        }
    }

    public static final class Factory implements SaslServerFactory {
        @Override
        public SaslServer createSaslServer(
                String mechanism, String protocol, String serverName, Map<String, ?> props, CallbackHandler cbh) {
            return "PLAIN".equals(mechanism) ? new Server(credentials()) : null;
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] {"PLAIN"};
        }
    }

    static Map<String, String> credentials() {
        String file = System.getProperty(CREDENTIALS_PROPERTY);
        if (file == null) {
            throw new IllegalStateException("system property " + CREDENTIALS_PROPERTY + " is not set");
        }
        Map<String, String> principals = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    principals.put(line.substring(tab + 1), line.substring(0, tab));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return principals;
    }

    /** RFC 4616 PLAIN: one message {@code authzid NUL authcid NUL passwd}. */
    static final class Server implements SaslServer {
        private final Map<String, String> principals;
        private String authorizationId;

        Server(Map<String, String> principals) {
            this.principals = principals;
        }

        @Override
        public byte[] evaluateResponse(byte[] response) {
            String[] tokens = new String(response, StandardCharsets.UTF_8).split("\u0000", -1);
            if (tokens.length != 3) {
                throw new SaslAuthenticationException("Invalid SASL/PLAIN response: expected 3 tokens");
            }
            String authzid = tokens[0];
            String username = tokens[1];
            String principal = principals.get(tokens[2]);
            if (!USERNAME.equals(username) || principal == null || !(authzid.isEmpty() || authzid.equals(username))) {
                throw new SaslAuthenticationException("Authentication failed: invalid credentials");
            }
            authorizationId = principal;
            return new byte[0];
        }

        @Override
        public String getMechanismName() {
            return "PLAIN";
        }

        @Override
        public boolean isComplete() {
            return authorizationId != null;
        }

        @Override
        public String getAuthorizationID() {
            if (!isComplete()) {
                throw new IllegalStateException("authentication not completed");
            }
            return authorizationId;
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException("PLAIN supports no integrity or privacy layer");
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException("PLAIN supports no integrity or privacy layer");
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            return null;
        }

        @Override
        public void dispose() {}
    }
}
