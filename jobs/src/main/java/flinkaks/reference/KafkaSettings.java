package flinkaks.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * What the stack gives every Flink pod (the Kafka contract): the {@code KAFKA_*} variables
 * of the {@code flink-kafka} ConfigMap and the client property files of the {@code flink-kafka}
 * Secret, the only place of the credentials. Nothing comes from the command line, which
 * Flink's UI shows.
 */
public final class KafkaSettings {
    /** Where the Secret's {@code input.properties} and {@code output.properties} are mounted. */
    public static final String DEFAULT_PROPERTIES_DIR = "/opt/flink/kafka";
    /** Overrides {@link #DEFAULT_PROPERTIES_DIR} (tests; other mount paths). */
    public static final String PROPERTIES_DIR_ENV = "KAFKA_CLIENT_PROPERTIES_DIR";

    public final String inputTopic;
    public final String outputTopic;
    public final String consumerGroup;
    public final Properties input;
    public final Properties output;

    private KafkaSettings(
            String inputTopic, String outputTopic, String consumerGroup, Properties input, Properties output) {
        this.inputTopic = inputTopic;
        this.outputTopic = outputTopic;
        this.consumerGroup = consumerGroup;
        this.input = input;
        this.output = output;
    }

    public static KafkaSettings fromEnvironment(Map<String, String> env) {
        Path dir = Path.of(env.getOrDefault(PROPERTIES_DIR_ENV, DEFAULT_PROPERTIES_DIR));
        Properties input = load(dir.resolve("input.properties"));
        Properties output = load(dir.resolve("output.properties"));
        String consumerGroup = required(env, "KAFKA_CONSUMER_GROUP");
        String groupInFile = input.getProperty("group.id");
        if (groupInFile != null && !groupInFile.equals(consumerGroup)) {
            throw new IllegalArgumentException(
                    "KAFKA_CONSUMER_GROUP=" + consumerGroup + " but input.properties has group.id=" + groupInFile);
        }
        for (Properties p : new Properties[] {input, output}) {
            if (p.getProperty("bootstrap.servers") == null) {
                p.setProperty("bootstrap.servers", required(env, "KAFKA_BOOTSTRAP_SERVERS"));
            }
        }
        return new KafkaSettings(
                required(env, "KAFKA_INPUT_TOPIC"), required(env, "KAFKA_OUTPUT_TOPIC"), consumerGroup, input, output);
    }

    static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    name + " is not set: the flink-kafka ConfigMap provides it to every Flink pod");
        }
        return value;
    }

    static Properties load(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read Kafka client properties " + file + " (the flink-kafka Secret's mount, or "
                            + PROPERTIES_DIR_ENV + "): " + e,
                    e);
        }
        return properties;
    }
}
