# shellcheck shell=bash
# `status`: the upgrade records of the shared volume as name=value lines (kubectl exec into
# the JobManager's container, whose environment names the state directory).
# In: UPGRADE_STATE_DIR, JOB_FINGERPRINT.
cd "$UPGRADE_STATE_DIR" 2>/dev/null || exit 0
for f in applied job-id restore requested refused; do [[ -s $f ]] && printf '%s=%s\n' "$f" "$(cat "$f")"; done
printf 'pod_fingerprint=%s\n' "$JOB_FINGERPRINT"
[[ -s history.log ]] && printf 'last_event=%s\n' "$(tail -n 1 history.log)"
exit 0
