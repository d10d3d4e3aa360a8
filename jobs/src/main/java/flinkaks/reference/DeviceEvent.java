package flinkaks.reference;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One input event, as the Azure streaming-at-scale generator writes it (JSON):
 * {@code {"eventId": …, "type": …, "deviceId": …, "deviceSequenceNumber": …, "createdAt": ISO-8601, "value": …}}.
 * Fields the job does not use are ignored.
 */
public class DeviceEvent {
    public String eventId;
    public String type;
    public String deviceId;
    public long deviceSequenceNumber;
    public String createdAt;
    public double value;

    /** The event time in epoch milliseconds, or -1 when {@code createdAt} is missing or not ISO-8601. */
    public long eventTimeMillis() {
        if (createdAt == null) {
            return -1;
        }
        try {
            return Instant.parse(createdAt).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
