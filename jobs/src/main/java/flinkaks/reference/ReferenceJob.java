package flinkaks.reference;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.json.JsonSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The reference job of flink-aks: reads device events from the input event hub and writes,
 * per device and per second (event time), the number of events and the newest event time to
 * the output event hub, as the Azure streaming-at-scale reference job does.
 *
 * <p>Configured only from the Kafka contract ({@link KafkaSettings}); it takes no arguments.
 * Checkpointed (the cluster's interval; 30 s if the cluster sets none); every stateful
 * operator has a fixed uid, so its state survives changes to the job. The sink is
 * at-least-once: Event Hubs Standard has no Kafka transactions, so after a failure a
 * second may be written twice, never lost.
 */
public final class ReferenceJob {
    /** How late an event may arrive (event time) and still be counted in its second. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofMillis(200);
    /** A partition without events this long stops holding the watermark back. */
    static final Duration IDLENESS = Duration.ofSeconds(10);
    static final Duration WINDOW = Duration.ofSeconds(1);
    static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 30_000;

    private ReferenceJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            throw new IllegalArgumentException(
                    "the reference job takes no arguments: it reads the KAFKA_* variables and client property files");
        }
        KafkaSettings kafka = KafkaSettings.fromEnvironment(System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL_MS);
        }

        KafkaSource<DeviceEvent> source = KafkaSource.<DeviceEvent>builder()
                .setProperties(kafka.input)
                .setTopics(kafka.inputTopic)
                .setGroupId(kafka.consumerGroup)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setValueOnlyDeserializer(new EventDeserializer())
                .build();
        WatermarkStrategy<DeviceEvent> eventTime = WatermarkStrategy.<DeviceEvent>forBoundedOutOfOrderness(
                        OUT_OF_ORDERNESS)
                .withTimestampAssigner((event, kafkaTimestamp) -> event.eventTimeMillis())
                .withIdleness(IDLENESS);

        KafkaSink<DeviceCount> sink = KafkaSink.<DeviceCount>builder()
                .setKafkaProducerConfig(kafka.output)
                .setBootstrapServers(kafka.output.getProperty("bootstrap.servers"))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(KafkaRecordSerializationSchema.<DeviceCount>builder()
                        .setTopic(kafka.outputTopic)
                        .setKeySerializationSchema(
                                (SerializationSchema<DeviceCount>)
                                        c -> c.deviceId.getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new JsonSerializationSchema<DeviceCount>())
                        .build())
                .build();

        env.fromSource(source, eventTime, "input: " + kafka.inputTopic)
                .uid("input-source")
                .keyBy(event -> event.deviceId)
                .window(TumblingEventTimeWindows.of(WINDOW))
                .aggregate(new CountPerSecond.Aggregate(), new CountPerSecond.Emit())
                .uid("count-per-second")
                .name("count per device and second")
                .sinkTo(sink)
                .uid("output-sink")
                .name("output: " + kafka.outputTopic);

        env.execute("reference job: " + kafka.inputTopic + " -> per-second counts -> " + kafka.outputTopic);
    }
}
