# shellcheck shell=bash
# The pods' init container: copy the image's conf (log4j files) and our config file into a
# writable volume, since the image's entrypoint edits the config file, and stage the job
# jar in usrlib, where application mode looks for the job (TaskManagers need it too).
# A flink-conf.yaml would take precedence over config.yaml in Flink 1.x: remove it.
# In: IMAGE_CONF (default /opt/flink/conf), CONF_OUT, CONFIG_SOURCE, JOB_JAR, USRLIB_OUT.
set -eu
cp -R "${IMAGE_CONF:-/opt/flink/conf}/." "$CONF_OUT/"
rm -f "$CONF_OUT/flink-conf.yaml"
cp "$CONFIG_SOURCE" "$CONF_OUT/config.yaml"
cp "$JOB_JAR" "$USRLIB_OUT/"
echo "prepared $CONF_OUT/config.yaml and $USRLIB_OUT/$(basename "$JOB_JAR")"
