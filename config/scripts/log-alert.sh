#!/bin/sh
# Example alert script: records every exceed/normal event in the system log.
# xenoflow runs it directly (no shell in between) as
#   log-alert.sh EVENT MO MAVG LIMIT KEY1 [KEY2 ...] VALUE THRESHOLD
# with the same facts in XENOFLOW_* variables and as JSON on stdin (docs/DESIGN.md section 6).
exec logger -t xenoflow -p daemon.warning -- \
  "$XENOFLOW_EVENT mo=$XENOFLOW_MO mavg=$XENOFLOW_MAVG limit=$XENOFLOW_LIMIT key=$XENOFLOW_KEY" \
  "$XENOFLOW_METRIC=$XENOFLOW_VALUE/s threshold=$XENOFLOW_THRESHOLD/s"
