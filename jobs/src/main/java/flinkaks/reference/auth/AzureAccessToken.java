package flinkaks.reference.auth;

import com.azure.core.credential.AccessToken;
import java.util.Set;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;

/** An Entra ID access token as Kafka's OAUTHBEARER login holds it (the broker reads the JWT itself). */
final class AzureAccessToken implements OAuthBearerToken {
    private final String value;
    private final Set<String> scope;
    private final long lifetimeMs;
    private final String principalName;
    private final long startTimeMs;

    AzureAccessToken(AccessToken token, String scope, String principalName) {
        this.value = token.getToken();
        this.scope = Set.of(scope);
        this.lifetimeMs = token.getExpiresAt().toInstant().toEpochMilli();
        this.principalName = principalName;
        this.startTimeMs = System.currentTimeMillis();
    }

    @Override
    public String value() {
        return value;
    }

    @Override
    public Set<String> scope() {
        return scope;
    }

    @Override
    public long lifetimeMs() {
        return lifetimeMs;
    }

    @Override
    public String principalName() {
        return principalName;
    }

    @Override
    public Long startTimeMs() {
        return startTimeMs;
    }

    @Override
    public String toString() { // never the token itself
        return "AzureAccessToken[principal=" + principalName + ", scope=" + scope + ", lifetimeMs=" + lifetimeMs + "]";
    }
}
