package flinkaks.reference;

import java.time.Instant;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Per device and second: the number of events and the newest event time. */
public final class CountPerSecond {
    private CountPerSecond() {}

    /** Accumulator: {count, newest event time in ms}. */
    public static class Aggregate implements AggregateFunction<DeviceEvent, long[], long[]> {
        @Override
        public long[] createAccumulator() {
            return new long[] {0L, Long.MIN_VALUE};
        }

        @Override
        public long[] add(DeviceEvent event, long[] acc) {
            acc[0] += 1;
            acc[1] = Math.max(acc[1], event.eventTimeMillis());
            return acc;
        }

        @Override
        public long[] getResult(long[] acc) {
            return acc;
        }

        @Override
        public long[] merge(long[] a, long[] b) {
            return new long[] {a[0] + b[0], Math.max(a[1], b[1])};
        }
    }

    /** Adds the device and the window to the aggregate. */
    public static class Emit extends ProcessWindowFunction<long[], DeviceCount, String, TimeWindow> {
        @Override
        public void process(String deviceId, Context context, Iterable<long[]> results, Collector<DeviceCount> out) {
            long[] acc = results.iterator().next();
            TimeWindow window = context.window();
            out.collect(new DeviceCount(
                    deviceId,
                    Instant.ofEpochMilli(window.getStart()).toString(),
                    Instant.ofEpochMilli(window.getEnd()).toString(),
                    acc[0],
                    Instant.ofEpochMilli(acc[1]).toString()));
        }
    }
}
