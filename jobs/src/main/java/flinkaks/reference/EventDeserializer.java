package flinkaks.reference;

import java.io.IOException;
import org.apache.flink.formats.json.JsonDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.util.jackson.JacksonMapperFactory;

/** Reads {@link DeviceEvent}s; skips (and counts in the metric {@code malformedEvents}) what is not one. */
public class EventDeserializer extends JsonDeserializationSchema<DeviceEvent> {
    private transient Counter malformed;

    public EventDeserializer() {
        super(
                DeviceEvent.class,
                () -> JacksonMapperFactory.createObjectMapper()
                        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false));
    }

    @Override
    public void open(InitializationContext context) {
        super.open(context);
        malformed = context.getMetricGroup().counter("malformedEvents");
    }

    @Override
    public DeviceEvent deserialize(byte[] message) {
        try {
            DeviceEvent event = super.deserialize(message);
            if (event != null && event.deviceId != null && event.eventTimeMillis() >= 0) {
                return event;
            }
        } catch (IOException | RuntimeException e) {
            // counted below; one bad event must not stop the job
        }
        malformed.inc();
        return null;
    }
}
