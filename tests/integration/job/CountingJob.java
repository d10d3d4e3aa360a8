package flinkaks.it;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * A small checkpointed job whose keyed state can be checked for exactly-once restore.
 *
 * <p>The source emits 0, 1, 2, ... (its position is checkpointed) at a fixed rate. Record n
 * belongs to key "k" + (n % KEYS). A keyed function keeps, per key, the count of records seen
 * and the last sequence number. Because the input is deterministic, a consistent state
 * satisfies count == n / KEYS + 1 after record n; a state restored from another checkpoint
 * than the source position, or records counted twice or lost, break it.
 *
 * <p>The function writes a side channel (one line each, appended to the file --out):
 *
 * <pre>
 * START   token restored_checkpoint_id|-        an execution of the function begins
 * FIRST   token key count last_seq               state of a key at its first record in it
 * REC     token key seq count                    a record and the count after it
 * SNAP    token checkpoint_id key count last_seq state of every key in a checkpoint
 * </pre>
 *
 * <p>Arguments: --out FILE [--rate RECORDS_PER_SECOND] (the output file is the only
 * path; no credentials).
 */
public final class CountingJob {
    static final int KEYS = 10;

    private CountingJob() {}

    public static void main(String[] args) throws Exception {
        String out = null;
        double rate = 200;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--out")) {
                out = args[i + 1];
            } else if (args[i].equals("--rate")) {
                rate = Double.parseDouble(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataGeneratorSource<Long> source = new DataGeneratorSource<>(
                new Identity(), Long.MAX_VALUE, RateLimiterStrategy.perSecond(rate), Types.LONG);
        // One source subtask emits the whole sequence 0, 1, 2, ... at any job parallelism
        // (parallel readers would each take a range); keyBy spreads the keys over the
        // counter's subtasks, so rescaling redistributes keyed state.
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "sequence")
                .setParallelism(1)
                .uid("sequence")
                .keyBy(new ByKey(), Types.STRING)
                .process(new Counter(out))
                .uid("counter")
                .name("counter")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        env.execute("counting-job");
    }

    /** Sequence number n itself. */
    static final class Identity implements GeneratorFunction<Long, Long> {
        @Override
        public Long map(Long index) {
            return index;
        }
    }

    /** Key "k" + n % KEYS. */
    static final class ByKey implements KeySelector<Long, String> {
        @Override
        public String getKey(Long seq) {
            return "k" + (seq % KEYS);
        }
    }

    /** Counts per key in keyed state and reports it on the side channel. */
    static final class Counter extends KeyedProcessFunction<String, Long, Long>
            implements CheckpointedFunction {
        private final String outPath;
        private transient ValueState<Long> count;
        private transient ValueState<Long> lastSeq;
        // The keyed state of this subtask's keys as of its last record, for SNAP lines.
        private transient Map<String, long[]> shadow;
        private transient Set<String> seen;
        private transient String token;
        private transient String restoredFrom;
        private transient OutputStream out;

        Counter(String outPath) {
            this.outPath = outPath;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            restoredFrom = context.isRestored() && context.getRestoredCheckpointId().isPresent()
                    ? Long.toString(context.getRestoredCheckpointId().getAsLong())
                    : "-";
        }

        @Override
        public void open(OpenContext openContext) throws IOException {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            lastSeq = getRuntimeContext().getState(new ValueStateDescriptor<>("lastSeq", Types.LONG));
            shadow = new HashMap<>();
            seen = new HashSet<>();
            token = UUID.randomUUID().toString().substring(0, 8);
            out = new FileOutputStream(outPath, true);
            write("START " + token + " " + (restoredFrom == null ? "-" : restoredFrom));
        }

        @Override
        public void processElement(Long seq, Context ctx, Collector<Long> collector) throws Exception {
            String key = ctx.getCurrentKey();
            long before = count.value() == null ? 0 : count.value();
            long last = lastSeq.value() == null ? -1 : lastSeq.value();
            if (seen.add(key)) {
                write("FIRST " + token + " " + key + " " + before + " " + last);
            }
            long after = before + 1;
            count.update(after);
            lastSeq.update(seq);
            shadow.put(key, new long[] {after, seq});
            write("REC " + token + " " + key + " " + seq + " " + after);
            collector.collect(seq);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws IOException {
            StringBuilder lines = new StringBuilder();
            for (Map.Entry<String, long[]> entry : shadow.entrySet()) {
                lines.append("SNAP ").append(token).append(' ').append(context.getCheckpointId())
                        .append(' ').append(entry.getKey()).append(' ').append(entry.getValue()[0])
                        .append(' ').append(entry.getValue()[1]).append('\n');
            }
            if (lines.length() > 0) {
                writeRaw(lines.toString());
            }
        }

        @Override
        public void close() throws Exception {
            if (out != null) {
                out.close();
            }
        }

        private void write(String line) throws IOException {
            writeRaw(line + "\n");
        }

        private void writeRaw(String text) throws IOException {
            // One write call on an append stream: lines of two executions never interleave.
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
