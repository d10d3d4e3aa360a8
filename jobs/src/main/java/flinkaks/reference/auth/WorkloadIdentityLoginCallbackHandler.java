package flinkaks.reference.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka OAUTHBEARER login with Azure workload identity: Azure Identity's
 * {@code WorkloadIdentityCredential} exchanges the pod's projected ServiceAccount token
 * ({@code AZURE_FEDERATED_TOKEN_FILE}) at Entra ID ({@code AZURE_AUTHORITY_HOST},
 * {@code AZURE_TENANT_ID}) for an access token of the managed identity
 * ({@code AZURE_CLIENT_ID}) for the Event Hubs namespace. Kafka's refreshing login calls
 * this handler again before each token expires ({@code sasl.login.refresh.*}).
 *
 * <pre>
 * security.protocol=SASL_SSL
 * sasl.mechanism=OAUTHBEARER
 * sasl.login.callback.handler.class=flinkaks.reference.auth.WorkloadIdentityLoginCallbackHandler
 * sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
 * </pre>
 *
 * The scope is {@code https://<host of the first bootstrap server>/.default}; the JAAS
 * option {@code scope="…"} overrides it. The JAAS option {@code disableInstanceDiscovery="true"}
 * skips MSAL's instance discovery at {@code login.microsoftonline.com}, for an authority it
 * does not know (a private cloud, a local stand-in). No secret is configured anywhere.
 */
public final class WorkloadIdentityLoginCallbackHandler implements AuthenticateCallbackHandler {
    /** JAAS option: the token scope instead of the one derived from {@code bootstrap.servers}. */
    public static final String SCOPE_OPTION = "scope";
    /** JAAS option: {@code "true"} skips instance discovery (authorities MSAL does not know). */
    public static final String DISABLE_INSTANCE_DISCOVERY_OPTION = "disableInstanceDiscovery";

    private static final Logger LOG = LoggerFactory.getLogger(WorkloadIdentityLoginCallbackHandler.class);

    private WorkloadIdentityEnvironment identity;
    private TokenCredential credential;
    private String scope;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        if (!OAuthBearerLoginModule.OAUTHBEARER_MECHANISM.equals(saslMechanism)) {
            throw new ConfigException("sasl.mechanism=" + saslMechanism + ": "
                    + getClass().getSimpleName() + " serves OAUTHBEARER only");
        }
        configure(
                WorkloadIdentityEnvironment.from(System.getenv()),
                scopeFrom(configs, jaasConfigEntries),
                "true".equalsIgnoreCase(option(jaasConfigEntries, DISABLE_INSTANCE_DISCOVERY_OPTION)));
    }

    void configure(WorkloadIdentityEnvironment identity, String scope, boolean disableInstanceDiscovery) {
        this.identity = identity;
        this.scope = scope;
        WorkloadIdentityCredentialBuilder builder = new WorkloadIdentityCredentialBuilder()
                .clientId(identity.clientId())
                .tenantId(identity.tenantId())
                .tokenFilePath(identity.tokenFile().toString());
        if (identity.authorityHost() != null) {
            builder.authorityHost(identity.authorityHost());
        }
        if (disableInstanceDiscovery) {
            builder.disableInstanceDiscovery();
        }
        this.credential = builder.build();
        LOG.info("Kafka OAUTHBEARER: workload identity client id {} (tenant {}), scope {}, token file {}",
                identity.clientId(), identity.tenantId(), scope, identity.tokenFile());
    }

    static String option(List<AppConfigurationEntry> jaasConfigEntries, String name) {
        for (AppConfigurationEntry entry : jaasConfigEntries) {
            Object option = entry.getOptions().get(name);
            if (option != null && !option.toString().isBlank()) {
                return option.toString().trim();
            }
        }
        return null;
    }

    static String scopeFrom(Map<String, ?> configs, List<AppConfigurationEntry> jaasConfigEntries) {
        String scope = option(jaasConfigEntries, SCOPE_OPTION);
        if (scope != null) {
            return scope;
        }
        Object servers = configs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers instanceof List<?> list) {
            return EventHubsScope.fromBootstrapServers(list.stream().map(Object::toString).toList());
        }
        if (servers instanceof String text) {
            return EventHubsScope.fromBootstrapServers(List.of(text.split(",")));
        }
        throw new ConfigException("bootstrap.servers is not set: cannot derive the Event Hubs token scope");
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerTokenCallback tokenCallback) {
                fetch(tokenCallback);
            } else if (!(callback instanceof SaslExtensionsCallback)) { // no extensions: leave it empty
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private void fetch(OAuthBearerTokenCallback callback) {
        String problem = identity.tokenFileProblem();
        if (problem != null) {
            LOG.error("Kafka OAUTHBEARER: {}", problem);
            callback.error("invalid_request", problem, null);
            return;
        }
        AccessToken token;
        try {
            token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
        } catch (RuntimeException e) {
            String message = "Entra ID gave no token for client id " + identity.clientId() + " (tenant "
                    + identity.tenantId() + ", scope " + scope + "): " + e.getMessage()
                    + " (is there a federated identity credential for this pod's ServiceAccount on the"
                    + " cluster's OIDC issuer?)";
            LOG.error("Kafka OAUTHBEARER: {}", message, e);
            callback.error("invalid_client", message, null);
            return;
        }
        callback.token(new AzureAccessToken(token, scope, identity.clientId()));
        LOG.info("Kafka OAUTHBEARER: token for client id {} valid until {} (without the role Azure Event Hubs"
                        + " Data Receiver or Sender on the hub the broker answers Not authorized)",
                identity.clientId(), token.getExpiresAt());
    }

    @Override
    public void close() {}
}
