package flinkaks.reference.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * What AKS's workload identity webhook injects into a pod whose ServiceAccount is annotated
 * {@code azure.workload.identity/client-id} and which carries the label
 * {@code azure.workload.identity/use: "true"}.
 */
public record WorkloadIdentityEnvironment(String clientId, String tenantId, Path tokenFile, String authorityHost) {
    public static final String CLIENT_ID = "AZURE_CLIENT_ID";
    public static final String TENANT_ID = "AZURE_TENANT_ID";
    public static final String TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
    public static final String AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
    static final String WEBHOOK_HINT = "AKS's workload identity webhook sets them in pods labelled"
            + " azure.workload.identity/use=true whose ServiceAccount is annotated azure.workload.identity/client-id";

    /** The variables, or a {@link ConfigException} naming every one that is missing. */
    public static WorkloadIdentityEnvironment from(Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        for (String name : new String[] {CLIENT_ID, TENANT_ID, TOKEN_FILE}) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("Kafka OAUTHBEARER with workload identity: " + String.join(", ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " not set; " + WEBHOOK_HINT);
        }
        String authority = env.get(AUTHORITY_HOST);
        return new WorkloadIdentityEnvironment(
                env.get(CLIENT_ID),
                env.get(TENANT_ID),
                Path.of(env.get(TOKEN_FILE)),
                authority == null || authority.isBlank() ? null : authority);
    }

    /** Why the projected ServiceAccount token cannot be read, or null when it can. */
    public String tokenFileProblem() {
        if (!Files.exists(tokenFile)) {
            return TOKEN_FILE + "=" + tokenFile + " does not exist: the pod lacks the projected ServiceAccount"
                    + " token (" + WEBHOOK_HINT + ")";
        }
        if (!Files.isReadable(tokenFile)) {
            return TOKEN_FILE + "=" + tokenFile + " is not readable by this process";
        }
        return null;
    }
}
