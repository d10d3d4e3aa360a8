package flinkaks.reference;

/** One output record: for one device and one second, how many events and the newest event time. */
public class DeviceCount {
    public String deviceId;
    /** The second counted, ISO-8601 (inclusive start, exclusive end). */
    public String windowStart;
    public String windowEnd;
    public long count;
    /** The event time of the newest event counted, ISO-8601. */
    public String latestEventTime;

    public DeviceCount() {}

    public DeviceCount(String deviceId, String windowStart, String windowEnd, long count, String latestEventTime) {
        this.deviceId = deviceId;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.count = count;
        this.latestEventTime = latestEventTime;
    }
}
