# shellcheck shell=bash
# `savepoints`: the complete savepoints (with their _metadata) in directory $1, newest first.
# shellcheck disable=SC2012 # ls -t sorts by age; Flink names savepoints savepoint-<job>-<id>, plain characters
cd "$1" 2>/dev/null || exit 0
ls -1t -d -- */ 2>/dev/null | while read -r d; do [[ -f $d/_metadata ]] && printf '%s\n' "$1/${d%/}"; done
exit 0
