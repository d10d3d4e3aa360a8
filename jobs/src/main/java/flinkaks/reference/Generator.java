package flinkaks.reference;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Load generator: writes device events (the reference job's input) to a topic at a given
 * rate, e.g. to load-test a stack against its own Event Hubs.
 *
 * <pre>
 * java -cp '/opt/flink/lib/*:/opt/flink/usrlib/reference-job.jar' flinkaks.reference.Generator \
 *     --producer-config send.properties \
 *     --topic input --rate 5000 --seconds 600 [--devices 1000] [--schedule 1000:60,5000:60]
 * </pre>
 *
 * The producer config is a Kafka client properties file (bootstrap servers, SASL_SSL, the
 * JAAS line of a credential that may send to the topic): keys stay off the command line.
 * {@code --schedule RATE:SECONDS,…} runs several rates one after the other, from a whole
 * second on (so each rate covers whole seconds of event time). Prints one
 * progress line per second and a final {@code generator: done …} line; exits 1 if a send failed.
 */
public final class Generator {
    record Phase(int rate, int seconds) {}

    private Generator() {}

    public static void main(String[] args) throws Exception {
        String configFile = null;
        String topic = System.getenv("KAFKA_INPUT_TOPIC");
        int rate = 1000;
        int seconds = 60;
        int devices = 1000;
        List<Phase> schedule = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--producer-config" -> configFile = value;
                case "--topic" -> topic = value;
                case "--rate" -> rate = positive("--rate", value);
                case "--seconds" -> seconds = positive("--seconds", value);
                case "--devices" -> devices = positive("--devices", value);
                case "--schedule" -> schedule = parseSchedule(value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (configFile == null || topic == null) {
            throw new IllegalArgumentException("--producer-config FILE and --topic (or KAFKA_INPUT_TOPIC) are required");
        }
        if (schedule == null) {
            schedule = List.of(new Phase(rate, seconds));
        }
        Properties config = KafkaSettings.load(java.nio.file.Path.of(configFile));
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        System.exit(run(config, topic, devices, schedule));
    }

    static int run(Properties config, String topic, int devices, List<Phase> schedule) {
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[] sequence = new long[devices];
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            // Connect and fetch metadata first, then start on a whole second: each phase
            // then covers whole seconds of event time (the job counts per second).
            producer.partitionsFor(topic);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000 - System.currentTimeMillis() % 1000));
            for (Phase phase : schedule) {
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(phase.seconds());
                long sentInPhase = 0;
                long nextReport = start + TimeUnit.SECONDS.toNanos(1);
                for (long now = start; now < end; now = System.nanoTime()) {
                    long due = (now - start) * phase.rate() / 1_000_000_000L;
                    for (; sentInPhase < due; sentInPhase++, sent++) {
                        int device = ThreadLocalRandom.current().nextInt(devices);
                        String deviceId = "contoso://device-id-" + device;
                        byte[] value = event(deviceId, sequence[device]++).getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(topic, deviceId.getBytes(StandardCharsets.UTF_8), value),
                                (metadata, error) -> {
                                    if (error == null) {
                                        acked.incrementAndGet();
                                    } else if (failed.incrementAndGet() == 1) {
                                        firstError.set(error.toString());
                                    }
                                });
                    }
                    if (now >= nextReport) {
                        System.out.printf("generator: rate=%d t=%ds sent=%d acked=%d failed=%d%n",
                                phase.rate(), (now - start) / 1_000_000_000L, sent, acked.get(), failed.get());
                        nextReport += TimeUnit.SECONDS.toNanos(1);
                    }
                    LockSupport.parkNanos(500_000);
                }
            }
            producer.flush();
        }
        System.out.printf("generator: done sent=%d acked=%d failed=%d%s%n", sent, acked.get(), failed.get(),
                firstError.get() == null ? "" : " first_error=" + firstError.get());
        return failed.get() == 0 && acked.get() == sent ? 0 : 1;
    }

    static String event(String deviceId, long sequence) {
        return "{\"eventId\":\"" + UUID.randomUUID()
                + "\",\"type\":\"TEMP\",\"deviceId\":\"" + deviceId
                + "\",\"deviceSequenceNumber\":" + sequence
                + ",\"createdAt\":\"" + Instant.ofEpochMilli(System.currentTimeMillis())
                + "\",\"value\":" + ThreadLocalRandom.current().nextDouble(0, 100) + "}";
    }

    static List<Phase> parseSchedule(String text) {
        if (text == null) {
            throw new IllegalArgumentException("--schedule needs RATE:SECONDS[,RATE:SECONDS…]");
        }
        List<Phase> phases = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] rateAndSeconds = part.split(":");
            if (rateAndSeconds.length != 2) {
                throw new IllegalArgumentException("--schedule: " + part + " is not RATE:SECONDS");
            }
            phases.add(new Phase(positive("--schedule rate", rateAndSeconds[0]),
                    positive("--schedule seconds", rateAndSeconds[1])));
        }
        return phases;
    }

    static int positive(String name, String value) {
        try {
            int parsed = Integer.parseInt(value == null ? "" : value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": got " + value + "; allowed: a positive integer");
    }
}
