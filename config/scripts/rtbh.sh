#!/bin/sh
# Example mitigation hook for amplification floods: logs the remote-triggered blackhole route an
# operator would announce for the victim (first key field) on exceed, and withdraw on normal.
# Replace the logger line with your router's API or `birdc` call once you trust the limits.
event=$1
victim=$5
case "$event" in
  exceed) action=announce ;;
  normal) action=withdraw ;;
  *) echo "rtbh.sh: unexpected event '$event'" >&2; exit 2 ;;
esac
exec logger -t xenoflow-rtbh -p daemon.warning -- \
  "would $action blackhole $victim (mo=$2 mavg=$3 limit=$4)"
